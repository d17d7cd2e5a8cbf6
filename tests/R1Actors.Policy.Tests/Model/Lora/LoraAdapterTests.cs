using R1Actors.Policy.Model;
using TorchSharp;
using R1Actors.Policy.Model.Lora;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Model.Lora;

public class LoraAdapterTests
{
    private static readonly LoraSettings AllProjections = new(4, 8, 0.0, LoraSettings.KnownModules, InitSeed: 3);

    private static Tensor Ids() => tensor(new long[] { 1, 5, 9, 3, 7, 2, 4, 6 }, [2, 4]);

    /// <summary>Bit-for-bit equal values.</summary>
    internal static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static Tensor Mask() => tensor(new long[] { 1, 1, 1, 1, 0, 1, 1, 1 }, [2, 4]);

    /// <summary>B drawn at random so that the adapter changes the model (a fresh one adds exactly nothing).</summary>
    internal static void Perturb(LoraAdapter adapter, long seed = 11)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, parameter) in adapter.NamedParameters())
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal))
                parameter.normal_(0, 0.2, generator);
    }

    [Fact]
    public void Step_zero_with_a_fresh_adapter_equals_the_base_model_exactly()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var before = model.Forward(Ids(), Mask());
        model.AttachAdapter(AllProjections);
        var after = model.Forward(Ids(), Mask());
        Assert.True(Same(before, after));
    }

    [Fact]
    public void Adapter_tensors_carry_peft_names_and_shapes_with_a_random_and_b_zero()
    {
        using var model = TestModels.Random(TestModels.Tiny(LlamaFamily.Instance));
        var adapter = model.AttachAdapter(AllProjections);
        var named = adapter.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Equal(2 * 7 * 2, named.Count);   // 2 layers × 7 projections × (A, B)
        var a = named["model.layers.0.self_attn.q_proj.lora_A.weight"];
        var b = named["model.layers.0.self_attn.q_proj.lora_B.weight"];
        Assert.Equal([4L, 32L], a.shape);                                      // (r, in)
        Assert.Equal([32L, 4L], b.shape);                                      // (out, r): 4 heads × 8
        Assert.Equal([48L, 4L], named["model.layers.1.mlp.gate_proj.lora_B.weight"].shape);
        Assert.Equal([4L, 48L], named["model.layers.1.mlp.down_proj.lora_A.weight"].shape);
        Assert.All(named.Values, p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Equal(0.0, b.abs().max().ToDouble());
        var bound = 1 / Math.Sqrt(32);
        Assert.True(a.abs().max().ToDouble() <= bound && a.abs().max().ToDouble() > bound / 2, "A is kaiming-uniform within ±1/√in");
        Assert.Equal(2.0, adapter.Settings.Scaling);
    }

    [Fact]
    public void Only_adapter_parameters_require_gradients()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        model.AttachAdapter(AllProjections with { TargetModules = ["q_proj", "v_proj"] });
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        var trainable = model.TrainableParameters().ToList();
        Assert.Equal(2 * 2 * 2, trainable.Count);
        Assert.All(trainable, p => Assert.True(p.Parameter.requires_grad));
        Assert.All(trainable, p => Assert.Contains(".lora_", p.Name));
    }

    [Fact]
    public void Disabled_adapter_gives_the_base_and_enabled_adapter_changes_it()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var baseLogits = model.Forward(Ids(), Mask());
        Perturb(model.AttachAdapter(AllProjections));
        var adapted = model.Forward(Ids(), Mask());
        Assert.False(adapted.allclose(baseLogits, rtol: 0, atol: 1e-3));
        Tensor reference;
        using (model.Adapter!.Disable())
            reference = model.Forward(Ids(), Mask());
        Assert.True(Same(reference, baseLogits));
        Assert.True(Same(model.WithoutAdapter().Forward(Ids(), Mask()), baseLogits));
        Assert.True(Same(model.Forward(Ids(), Mask()), adapted), "the switch comes back on");
    }

    [Fact]
    public void Merged_model_gives_the_logits_of_base_plus_adapter_in_float32()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        Perturb(model.AttachAdapter(AllProjections));
        var adapted = model.Forward(Ids(), Mask());
        model.MergeAdapter();
        Assert.Null(model.Adapter);
        var merged = model.Forward(Ids(), Mask());
        Assert.True((merged - adapted).abs().max().ToDouble() <= 1e-5);
    }

    [Fact]
    public void Unknown_target_module_is_refused_naming_the_key()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var error = Assert.Throws<SettingsException>(() => model.AttachAdapter(AllProjections with { TargetModules = ["q_proj", "qkv_proj"] }));
        Assert.Equal("r1.training.lora.target-modules", error.Key);
        Assert.Contains("qkv_proj", error.Message);
        Assert.Null(model.Adapter);
    }

    [Fact]
    public void Rank_of_zero_is_refused_naming_the_key()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var error = Assert.Throws<SettingsException>(() => model.AttachAdapter(AllProjections with { Rank = 0 }));
        Assert.Equal("r1.training.lora.rank", error.Key);
    }

    [Fact]
    public void Dropout_acts_on_the_adapter_only_while_training()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        Perturb(model.AttachAdapter(AllProjections with { Dropout = 0.5 }));
        model.eval();
        var first = model.Forward(Ids(), Mask());
        Assert.True(Same(first, model.Forward(Ids(), Mask())));
        model.train();
        Assert.False(Same(first, model.Forward(Ids(), Mask())));
        using (model.Adapter!.Disable())
        {
            var baseTraining = model.Forward(Ids(), Mask());
            model.eval();
            Assert.True(Same(baseTraining, model.Forward(Ids(), Mask())), "the base path never drops");
        }
    }
}
