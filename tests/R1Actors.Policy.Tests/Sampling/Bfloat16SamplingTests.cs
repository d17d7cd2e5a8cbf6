using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;

namespace R1Actors.Policy.Tests.Sampling;

public class Bfloat16SamplingTests
{
    [Fact]
    public void Bfloat16_model_samples_with_log_probs_close_to_its_float32_original()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var full = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        using var half = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance), dtype: TorchSharp.torch.ScalarType.BFloat16);
        using (var weights = ModelWeights.Snapshot(full))
            weights.CopyInto(half);
        var request = GenerationRequest.ForStep([[3, 4, 5, 6], [7, 8]], 2, 11, 0, [0, 1]);
        var sequences = new BatchGenerator(half).Generate(request, new SamplingOptions { MaxNewTokens = 6 }).Sequences;
        using var prompts = TokenBatch.LeftPadded([.. sequences.Select(s => (IReadOnlyList<int>)(s.Prompt == 0 ? [3, 4, 5, 6] : [7, 8]))], 0, TorchSharp.torch.CPU);
        using var completions = TokenBatch.RightPadded([.. sequences.Select(s => s.TokenIds)], 0, TorchSharp.torch.CPU);
        using var exact = CompletionScorer.Score(full, prompts.Ids, prompts.Mask, completions.Ids, completions.Mask);
        for (var r = 0; r < sequences.Count; r++)
            for (var t = 0; t < sequences[r].TokenIds.Count; t++)
                Assert.Equal(exact.LogProbs[r, t].item<float>(), sequences[r].LogProbs[t], 0.1);
    }
}
