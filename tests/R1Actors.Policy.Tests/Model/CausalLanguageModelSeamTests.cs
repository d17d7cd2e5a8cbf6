using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Model;

public class CausalLanguageModelSeamTests
{
    // A stand-in as the learner's tests write one: only the required members, without the start-position forward.
    private sealed class Wrapper(CausalLanguageModel inner) : ICausalLanguageModel
    {
        public Tensor Forward(Tensor inputIds, Tensor attentionMask) => inner.Forward(inputIds, attentionMask);
        public nn.Module Module => inner;
        public void SaveWeights(string folder) => inner.SaveWeights(folder);
    }

    [Fact]
    public void Logits_from_a_start_position_equal_the_tail_of_the_full_logits_for_the_model_and_for_a_stand_in()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var ids = tensor(new long[] { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, [2, 5]);
        var mask = tensor(new long[] { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 5]);
        var tail = model.Forward(ids, mask).narrow(1, 2, 3);
        Assert.True(((ICausalLanguageModel)model).Forward(ids, mask, 2).allclose(tail, rtol: 0, atol: 1e-6));
        Assert.True(((ICausalLanguageModel)new Wrapper(model)).Forward(ids, mask, 2).allclose(tail, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Left_padding_does_not_change_the_logits_of_real_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(LlamaFamily.Instance));
        var alone = model.Forward(tensor(new long[] { 3, 4, 5 }, [1, 3]), ones(1, 3, ScalarType.Int64));
        var padded = model.Forward(tensor(new long[] { 0, 0, 3, 4, 5 }, [1, 5]), tensor(new long[] { 0, 0, 1, 1, 1 }, [1, 5]));
        Assert.True(padded.narrow(1, 2, 3).allclose(alone, rtol: 0, atol: 1e-5));
    }
}
