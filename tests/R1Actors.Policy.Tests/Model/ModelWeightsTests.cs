using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Model;

public class ModelWeightsTests
{
    private static Tensor Ids() => tensor(new long[] { 1, 2, 3, 4, 5 }, [1, 5]);

    [Fact]
    public void Snapshot_copied_into_a_replica_reproduces_the_source_logits()
    {
        using var scope = NewDisposeScope();
        using var learner = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance), seed: 1);
        using var sampler = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance), seed: 2);
        using var weights = ModelWeights.Snapshot(learner);
        weights.CopyInto(sampler);
        Assert.True(learner.Forward(Ids(), ones(1, 5)).eq(sampler.Forward(Ids(), ones(1, 5))).all().item<bool>());
    }

    [Fact]
    public void Snapshot_does_not_follow_later_updates_of_the_source()
    {
        using var scope = NewDisposeScope();
        using var learner = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance), seed: 1);
        using var weights = ModelWeights.Snapshot(learner);
        var before = learner.Forward(Ids(), ones(1, 5));
        using (no_grad())
            foreach (var (_, parameter) in learner.named_parameters())
                parameter.add_(0.5);
        using var replica = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance), seed: 3);
        weights.CopyInto(replica);
        Assert.True(before.eq(replica.Forward(Ids(), ones(1, 5))).all().item<bool>());
    }

    [Fact]
    public void Snapshot_of_another_shape_is_refused_before_any_weight_changes()
    {
        using var scope = NewDisposeScope();
        using var other = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance) with { IntermediateSize = 40 });
        using var replica = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var before = replica.Forward(Ids(), ones(1, 5));
        using var weights = ModelWeights.Snapshot(other);
        var error = Assert.Throws<ModelFormatException>(() => weights.CopyInto(replica));
        Assert.Contains("mlp.gate_proj.weight", error.Message);
        Assert.True(before.eq(replica.Forward(Ids(), ones(1, 5))).all().item<bool>());
    }

    [Fact]
    public void Float32_snapshot_fills_a_bfloat16_replica()
    {
        using var scope = NewDisposeScope();
        using var learner = TestModels.Random(TestModels.Tiny(LlamaFamily.Instance), seed: 1);
        using var replica = TestModels.Random(TestModels.Tiny(LlamaFamily.Instance), seed: 2, dtype: ScalarType.BFloat16);
        using var weights = ModelWeights.Snapshot(learner);
        weights.CopyInto(replica);
        var expected = learner.Forward(Ids(), ones(1, 5));
        Assert.True(replica.Forward(Ids(), ones(1, 5)).to(ScalarType.Float32).allclose(expected, rtol: 0.05, atol: 0.05));
    }
}
