using R1Actors.Policy.Model.Lora;
using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Learning;

/// <summary>The learner's packed micro-batches (no padding) give the padded path's gradient.</summary>
public class PackedLearnerTests
{
    // Two groups of uneven lengths, off-policy (behaviour log-probs of −0.7) so ratios are not 1.
    private static LearnerBatch Batch() => Groups.Batch([
        Groups.Of([1, 2, 3], [Groups.Completion([4, 5, 6, 7, 8, 9, 10], 1.0, Behaviour(7)), Groups.Completion([4], 0.0, Behaviour(1)),
            Groups.Completion([5, 5], 0.2, Behaviour(2))]),
        Groups.Of([6], [Groups.Completion([1, 2], 0.0, Behaviour(2)), Groups.Completion([3, 3, 3, 3, 3, 11, 12, 13, 14, 15, 16], 1.0, Behaviour(11))]),
    ]);

    private static float[] Behaviour(int tokens) => [.. Enumerable.Repeat(-0.7f, tokens)];

    private static Dictionary<string, Tensor> Gradient(MicroBatchSettings microBatches, bool withLora, out int passes)
    {
        using var model = PolicyModels.Random(seed: 3, dtype: ScalarType.Float64);
        if (withLora)
        {
            var adapter = model.AttachAdapter(new LoraSettings(2, 4, 0.0, LoraSettings.KnownModules, InitSeed: 1));
            using var noGrad = no_grad();
            using var generator = new TorchSharp.torch.Generator(5);
            foreach (var (_, parameter) in adapter.NamedParameters())
                parameter.normal_(0, 0.3, generator);
        }
        var settings = Settings.Learner(loss: new PolicyLossSettings(ClipLow: 0.2, ClipHigh: 0.28, KlBeta: 0.05, EntropyCoefficient: 0.01))
            with { MicroBatches = microBatches };
        using var reference = withLora ? null : PolicyModels.Random(seed: 4, dtype: ScalarType.Float64);
        using var learner = new Learner(model, settings, withLora ? model.WithoutAdapter() : reference);
        var pass = learner.Backward(Batch());
        Assert.Null(pass.Failure);
        passes = pass.MicroBatches;
        return model.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.grad!.detach().clone());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Packed_micro_batches_give_the_padded_paths_gradient(bool withLora)
    {
        using var scope = NewDisposeScope();
        var padded = Gradient(new MicroBatchSettings(64), withLora, out var paddedPasses);
        // 15 real tokens a pass at most: the five sequences (10, 4, 5, 3 and 12 tokens) go in several passes.
        var packed = Gradient(new MicroBatchSettings(64, MaxTokens: 15, Packed: true), withLora, out var packedPasses);
        Assert.Equal(1, paddedPasses);
        Assert.True(packedPasses >= 3, $"{packedPasses} packed passes");
        foreach (var (name, gradient) in padded)
            Assert.True(packed[name].allclose(gradient, rtol: 1e-8, atol: 1e-10),
                $"{name}: max |Δ| {(packed[name] - gradient).abs().max().item<double>()}, max |g| {gradient.abs().max().item<double>()}");
        Assert.Contains(padded.Values, g => g.abs().max().item<double>() > 1e-4);
    }

    [Fact]
    public void A_packed_pass_counts_real_tokens_against_the_budget_and_a_padded_pass_counts_padding()
    {
        var samples = new[] { 10, 9, 2, 2, 2 }.Select(n => new TrainingSample([1], [.. Enumerable.Repeat(3, n - 1)], new float[n - 1], 0, 1)).ToArray();
        // Padded: rows × longest (10, then 9 …): 10 + 9 would be 2 × 10 = 20 > 15, so each long one goes alone, then 3 × 2.
        Assert.Equal([1, 1, 3], MicroBatchPlanner.Plan(samples, new MicroBatchSettings(8, 15)).Select(b => b.Count));
        // Packed: real tokens, 10 then 9 + 2 + 2 + 2 = 15.
        Assert.Equal([1, 4], MicroBatchPlanner.Plan(samples, new MicroBatchSettings(8, 15, Packed: true)).Select(b => b.Count));
    }
}
