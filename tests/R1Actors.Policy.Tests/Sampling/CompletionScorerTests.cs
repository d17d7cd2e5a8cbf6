using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Sampling;

public class CompletionScorerTests
{
    private static readonly int[][] Prompts = [[3, 4, 5, 6, 7], [8, 9], [10, 11, 12]];
    private static readonly int[][] Completions = [[13, 14, 15], [16, 17, 18, 19], [20]];

    private static CompletionScores ScoreBatch(ICausalLanguageModel model, int[][] prompts, int[][] completions,
        double temperature = 1.0, bool withGrad = false)
    {
        using var prompt = TokenBatch.LeftPadded(prompts, 0, CPU);
        using var completion = TokenBatch.RightPadded(completions, 0, CPU);
        return CompletionScorer.Score(model, prompt.Ids, prompt.Mask, completion.Ids, completion.Mask, temperature, withGrad);
    }

    [Fact]
    public void Log_probs_are_the_log_softmax_of_the_logits_that_predict_each_completion_token()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        using var scores = ScoreBatch(model, Prompts, Completions, temperature: 0.7);
        for (var b = 0; b < Prompts.Length; b++)
        {
            int[] sequence = [.. Prompts[b], .. Completions[b]];
            var logits = model.Forward(tensor(sequence.Select(i => (long)i).ToArray(), [1, sequence.Length]), ones(1, sequence.Length));
            for (var t = 0; t < Completions[b].Length; t++)
            {
                var expected = (logits[0, Prompts[b].Length - 1 + t] / 0.7).log_softmax(-1)[Completions[b][t]].item<float>();
                Assert.Equal(expected, scores.LogProbs[b, t].item<float>(), 1e-5);
            }
        }
    }

    [Fact]
    public void Padded_batch_scores_like_each_row_alone_and_padding_scores_zero()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen3Family.Instance));
        using var batch = ScoreBatch(model, Prompts, Completions);
        for (var b = 0; b < Prompts.Length; b++)
        {
            using var alone = ScoreBatch(model, [Prompts[b]], [Completions[b]]);
            var length = Completions[b].Length;
            Assert.True(batch.LogProbs[b, ..length].allclose(alone.LogProbs[0], rtol: 0, atol: 1e-5));
            Assert.True(batch.Entropy[b, ..length].allclose(alone.Entropy[0], rtol: 0, atol: 1e-5));
            Assert.True(batch.LogProbs[b, length..].eq(0).all().item<bool>());
            Assert.True(batch.Entropy[b, length..].eq(0).all().item<bool>());
        }
    }

    [Fact]
    public void Uniform_model_gives_log_probs_of_minus_log_v_and_entropy_log_v()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Random(TestModels.Tiny(LlamaFamily.Instance, tied: false));
        using (no_grad())
            model.named_parameters().Single(p => p.name == "lm_head.weight").parameter.zero_();
        using var scores = ScoreBatch(model, Prompts, Completions);
        var logV = Math.Log(model.Config.VocabSize);
        Assert.Equal(-logV, scores.LogProbs[0, 0].item<float>(), 1e-5);
        Assert.Equal(logV, scores.Entropy[1, 3].item<float>(), 1e-5);
    }

    [Fact]
    public void Scores_carry_gradients_only_when_asked()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using (var frozen = ScoreBatch(model, Prompts, Completions))
            Assert.False(frozen.LogProbs.requires_grad);
        using var scores = ScoreBatch(model, Prompts, Completions, withGrad: true);
        Assert.True(scores.LogProbs.requires_grad);
        (scores.LogProbs.sum() + scores.Entropy.sum()).backward();
        var gradient = model.named_parameters().Single(p => p.name == "model.layers.0.self_attn.q_proj.weight").parameter.grad;
        Assert.NotNull(gradient);
        Assert.True(gradient.abs().sum().item<float>() > 0);
    }
}
