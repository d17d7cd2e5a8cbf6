using R1Actors.Policy.Model;

namespace R1Actors.Benchmarks;

/// <summary>The model shapes and batch shapes <c>r1actors bench learner</c> measures.</summary>
public sealed record LearnerBenchCase(string Name, ModelConfig Config, int Groups, int GroupSize, int PromptTokens, int CompletionTokens, int MicroBatchSize, int Steps);

public static class LearnerBenchModels
{
    /// <summary>The demo's char-level policy: Llama-shaped, hidden 128, 3 layers (≈0.6M parameters); B×G = 32×8.</summary>
    public static LearnerBenchCase Tiny(int steps) => new("tiny", new ModelConfig
    {
        Family = LlamaFamily.Instance,
        VocabSize = 64,
        HiddenSize = 128,
        IntermediateSize = 352,
        NumHiddenLayers = 3,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 4,
        HeadDim = 32,
        MaxPositionEmbeddings = 512,
        TieWordEmbeddings = true,
    }.Validated("bench learner tiny"), Groups: 32, GroupSize: 8, PromptTokens: 24, CompletionTokens: 64, MicroBatchSize: 64, steps);

    /// <summary>Qwen2.5-0.5B's shape (random weights): 24 layers, hidden 896, 14 heads, 2 KV heads, vocab 151,936, tied.</summary>
    public static LearnerBenchCase Qwen05B(int steps) => new("qwen2.5-0.5b", new ModelConfig
    {
        Family = Qwen2Family.Instance,
        VocabSize = 151936,
        HiddenSize = 896,
        IntermediateSize = 4864,
        NumHiddenLayers = 24,
        NumAttentionHeads = 14,
        NumKeyValueHeads = 2,
        HeadDim = 64,
        RopeTheta = 1000000,
        MaxPositionEmbeddings = 32768,
        TieWordEmbeddings = true,
    }.Validated("bench learner qwen2.5-0.5b"), Groups: 1, GroupSize: 4, PromptTokens: 64, CompletionTokens: 128, MicroBatchSize: 2, steps);

    /// <summary>
    /// Model FLOPs of one learner step over rows of (prompt, completion) tokens: forward over the P + C − 1
    /// positions fed (causal attention at each position's own context), the output head only over the C
    /// completion positions, and backward counted as twice the forward. Padding is not counted.
    /// </summary>
    public static double StepFlops(ModelConfig config, IEnumerable<(int Prompt, int Completion)> rows)
    {
        var headFlops = 2.0 * config.VocabSize * config.HiddenSize;
        var total = 0.0;
        foreach (var (prompt, completion) in rows)
        {
            var positions = prompt + completion - 1;
            for (var t = 1; t <= positions; t++)
                total += config.FlopsPerToken(t);
            total -= (positions - completion) * headFlops;
        }
        return 3.0 * total;
    }
}
