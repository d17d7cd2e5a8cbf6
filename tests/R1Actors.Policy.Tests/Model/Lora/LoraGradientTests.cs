using R1Actors.Policy.Model;
using TorchSharp;
using R1Actors.Policy.Model.Lora;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Model.Lora;

public class LoraGradientTests
{
    /// <summary>
    /// A float64 model, a fixed random projection of its logits as the loss, and central differences
    /// (f(θ + h) − f(θ − h)) / 2h with h = 1e-6 against autograd on entries of lora_A and lora_B of several layers.
    /// </summary>
    [Fact]
    public void Gradients_of_lora_a_and_b_match_finite_differences()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance), seed: 5, dtype: ScalarType.Float64);
        var adapter = model.AttachAdapter(new LoraSettings(3, 6, 0.0, LoraSettings.KnownModules, InitSeed: 2));
        LoraAdapterTests.Perturb(adapter);
        var ids = tensor(new long[] { 1, 5, 9, 3, 7, 2 }, [1, 6]);
        var mask = ones(1, 6, ScalarType.Int64);
        using var generator = new Generator(17);
        var weights = randn([1, 6, 40], ScalarType.Float64, generator: generator);     // (B, T, V)
        double Loss() => (model.Forward(ids, mask) * weights).sum().ToDouble();

        (model.Forward(ids, mask) * weights).sum().backward();
        var checkedEntries = 0;
        var failures = new List<string>();
        foreach (var (name, parameter) in adapter.NamedParameters().Where((_, i) => i % 5 == 0))
        {
            var grad = parameter.grad!.clone();
            foreach (var index in new long[] { 0, parameter.numel() / 2, parameter.numel() - 1 })
            {
                var flat = parameter.detach().view(-1);
                var original = flat[index].ToDouble();
                const double h = 1e-6;
                using (no_grad())
                    flat[index].fill_(original + h);
                var plus = Loss();
                using (no_grad())
                    flat[index].fill_(original - h);
                var minus = Loss();
                using (no_grad())
                    flat[index].fill_(original);
                var numeric = (plus - minus) / (2 * h);
                var analytic = grad.view(-1)[index].ToDouble();
                if (!(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(numeric))))
                    failures.Add($"{name}[{index}]: autograd {analytic}, finite differences {numeric}");
                checkedEntries++;
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(checkedEntries >= 15);
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }
}
