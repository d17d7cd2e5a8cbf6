using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;

namespace R1Actors.Bench.Benchmarks;

/// <summary>The model shapes and batch shapes <c>r1actors-bench learner</c> measures; with <see cref="Lora"/>, an adapter on the frozen base.</summary>
public sealed record LearnerBenchCase(string Name, ModelConfig Config, int Groups, int GroupSize, int PromptTokens, int CompletionTokens, int MicroBatchSize, int Steps)
{
    public LoraSettings? Lora { get; init; }

    /// <summary>
    /// Completion lengths drawn from <see cref="LearnerBenchModels.LongTailLength"/> (capped at <see cref="CompletionTokens"/>)
    /// instead of the default half-to-full spread.
    /// </summary>
    public bool LongTail { get; init; }

    /// <summary>Pack each pass's sequences without padding (<c>packed-sequences</c>).</summary>
    public bool Packed { get; init; }

    /// <summary>Token budget of a pass (<c>micro-batch-tokens</c>: padded tokens, or real ones when packed); 0 = none.</summary>
    public int MicroBatchTokens { get; init; }

    /// <summary>The JSON key prefix: the model's name, with <c>_lora</c> for the adapter case and the layout of a long-tail case.</summary>
    public string Key => Name.Replace('.', '_').Replace('-', '_') + (Lora is null ? "" : "_lora") +
                         (LongTail ? Packed ? "_longtail_packed" : "_longtail_padded" : "");
}

public static class LearnerBenchModels
{
    /// <summary>The adapter <c>--lora</c> measures: r = 16, α = 32 on all seven projections (PEFT's "all-linear" minus lm_head).</summary>
    public static readonly LoraSettings Lora = new(16, 32, 0.0, LoraSettings.KnownModules);

    /// <summary>The same case training a LoRA adapter instead of every weight (on <paramref name="targets"/>, default all seven).</summary>
    public static LearnerBenchCase WithLora(LearnerBenchCase full, IReadOnlyList<string>? targets = null) =>
        full with { Lora = targets is null ? Lora : Lora with { TargetModules = targets } };

    /// <summary>The demo's char-level policy (the sampling bench's shape, ≈0.6M parameters); B×G = 32×8.</summary>
    public static LearnerBenchCase Tiny(int steps)
    {
        var tokenizer = TinyModels.Tokenizer();
        var config = TinyModels.Config(SamplingBenchmark.DemoShape, tokenizer.VocabSize, tokenizer.EosTokenId!.Value, tokenizer.PadTokenId);
        return new("tiny", config, Groups: 32, GroupSize: 8, PromptTokens: 24, CompletionTokens: 64, MicroBatchSize: 64, steps);
    }

    /// <summary>Qwen2.5-0.5B's shape (random weights), sized for a CPU step of a minute or so.</summary>
    public static LearnerBenchCase Qwen05B(int steps) =>
        new("qwen2.5-0.5b", SamplingBenchmark.Qwen25HalfB, Groups: 1, GroupSize: 4, PromptTokens: 32, CompletionTokens: 96, MicroBatchSize: 2, steps);

    /// <summary>
    /// The long-tailed pair <c>--packing</c> measures for a model: the same lognormal completion lengths (median 64,
    /// p99 1,000, capped at 1,024) under the same pass budget of <paramref name="tokens"/> tokens, padded and packed.
    /// </summary>
    public static LearnerBenchCase[] PaddedAndPacked(LearnerBenchCase c, int groups, int tokens)
    {
        var longTail = c with { Groups = groups, CompletionTokens = 1024, MicroBatchSize = 1024, MicroBatchTokens = tokens, LongTail = true };
        return [longTail, longTail with { Packed = true }];
    }

    /// <summary>
    /// A completion length from a lognormal with median 64 and 99th percentile 1,000 (σ = ln(1000 / 64) / 2.326),
    /// the shape of R1-Zero's reasoning traces: most short, a long tail; at least 1, at most <paramref name="cap"/>.
    /// </summary>
    public static int LongTailLength(Random random, int cap)
    {
        var sigma = Math.Log(1000.0 / 64.0) / 2.3263;
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(Math.Round(64 * Math.Exp(sigma * normal)), 1, cap);
    }

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
