using System.Diagnostics;
using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// The long-tailed sampling workload of R1-Zero traces: completion lengths drawn from a lognormal (median 64,
/// p99 ≥ 1,000 tokens), capped at max-new-tokens, and forced on a random model through per-sample token limits.
/// The same groups run twice at the same cache memory (N rows × (prompt + max-new-tokens) tokens): static
/// batches (<see cref="BatchGenerator"/>, one call per N / G prompts, each running until its longest row ends)
/// and continuous batching (<see cref="ContinuousBatcher"/> with N slots, groups fed as slots free).
/// </summary>
public static class LongTailBenchmark
{
    public sealed record Workload(int Groups, int SamplesPerPrompt, int PromptLength, int MaxNewTokens, int Rows,
        double MedianLength = 64, double P99Length = 1024, int Seed = 1, DecodeAttentionPath Attention = DecodeAttentionPath.Auto)
    {
        /// <summary>σ of ln(length): p99 = median · exp(2.326 σ).</summary>
        public double Sigma => Math.Log(P99Length / MedianLength) / 2.3263478740;

        public int PromptsPerStaticBatch => Math.Max(1, Rows / SamplesPerPrompt);
    }

    /// <summary>What one mode did: the time, the work (checked against the drawn lengths) and how full it kept its rows.</summary>
    /// <param name="Stats">Continuous only: the batcher's figures at the end.</param>
    /// <param name="Steady">
    /// Continuous only: the steady state, from the start until the last group was queued. A sampler in the daemon
    /// lives there (the stream keeps its slots fed); what follows is the drain of a workload that ends, as long as its
    /// longest last rows, which a daemon pays once per run. A static batch drains at every call, so its whole run is
    /// its steady state.
    /// </param>
    public sealed record Outcome(string Mode, double Seconds, long Tokens, long DecodeSteps, double Occupancy, long CacheBytes,
        int FinishedGroups, bool LengthsAsDrawn, BatcherStats? Stats, Window? Steady = null)
    {
        public double TokensPerSecond => Tokens / Seconds;
    }

    /// <summary>
    /// Part of a continuous run: its time, decode steps and tokens drawn (active rows summed over steps: with the host
    /// looking at every step, each row draws one token a step until it ends, so over a whole run they are the tokens).
    /// </summary>
    public sealed record Window(double Seconds, long DecodeSteps, long Tokens, int Slots)
    {
        public double TokensPerSecond => Tokens / Seconds;

        public double Occupancy => Tokens / ((double)DecodeSteps * Slots);
    }

    /// <summary>(groups, G) lengths: lognormal, rounded, in 1 … max-new-tokens.</summary>
    public static int[][] DrawLengths(Workload w)
    {
        var random = new Random(w.Seed);
        return [.. Enumerable.Range(0, w.Groups).Select(_ => Enumerable.Range(0, w.SamplesPerPrompt).Select(_ =>
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return (int)Math.Clamp(Math.Round(w.MedianLength * Math.Exp(w.Sigma * z)), 1, w.MaxNewTokens);
        }).ToArray())];
    }

    public static Outcome RunStatic(CausalLanguageModel model, Workload w, int[][] lengths)
    {
        var generator = new BatchGenerator(model);
        var options = Options(w, checkInterval: 1);
        var prompts = Prompts(model.Config, w);
        long tokens = 0, rowSteps = 0;
        var asDrawn = true;
        var finished = 0;
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < w.Groups; first += w.PromptsPerStaticBatch)
        {
            var count = Math.Min(w.PromptsPerStaticBatch, w.Groups - first);
            var ids = Enumerable.Range(first, count).ToArray();
            var request = GenerationRequest.ForStep([.. ids.Select(i => prompts[i])], w.SamplesPerPrompt, 1, 0, [.. ids.Select(i => (long)i)])
                with { TokenLimits = [.. ids.SelectMany(i => lengths[i])] };
            var result = generator.Generate(request, options);
            tokens += result.GeneratedTokens;
            rowSteps += (long)result.DecodeSteps * w.Rows;
            asDrawn &= result.Sequences.All(s => s.TokenIds.Count == lengths[ids[s.Prompt]][s.Sample] && s.FinishReason == FinishReason.Length);
            finished += count;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        // Each row draws one token per step until it ends: the active rows summed over steps are the tokens.
        return new Outcome("static", seconds, tokens, rowSteps / w.Rows, tokens / (double)rowSteps, StaticCacheBytes(model.Config, w),
            finished, asDrawn, null);
    }

    public static Outcome RunContinuous(CausalLanguageModel model, Workload w, int[][] lengths, int checkInterval = 1)
    {
        using var batcher = new ContinuousBatcher(model, Options(w, checkInterval), w.Rows, w.PromptLength + w.MaxNewTokens);
        var prompts = Prompts(model.Config, w);
        long tokens = 0;
        var asDrawn = true;
        var finished = 0;
        var next = 0;
        Window? steady = null;
        var clock = Stopwatch.StartNew();
        while (next < w.Groups || !batcher.Idle)
        {
            for (; next < w.Groups && batcher.WantsMore; next++)
            {
                var group = new SampleGroup(next, prompts[next],
                    GenerationRequest.ForStep([prompts[next]], w.SamplesPerPrompt, 1, 0, [next]).Seeds, lengths[next]);
                if (batcher.Enqueue(group) is { } refusal)
                    throw new InvalidOperationException(refusal);
                if (next == w.Groups - 1 && batcher.Stats is var queued)
                    steady = new Window(clock.Elapsed.TotalSeconds, queued.DecodeSteps, queued.ActiveRowSteps, queued.Slots);
            }
            foreach (var group in batcher.Step())
            {
                tokens += group.Sequences.Sum(s => s.TokenIds.Count);
                asDrawn &= group.Sequences.All(s => s.TokenIds.Count == lengths[group.Key][s.Sample] && s.FinishReason == FinishReason.Length);
                finished++;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var stats = batcher.Stats;
        return new Outcome("continuous", seconds, tokens, stats.DecodeSteps, stats.Occupancy, batcher.CacheBytes, finished, asDrawn, stats, steady);
    }

    /// <summary>
    /// MB of float32 weights and of keys/values that a decode step of <paramref name="rows"/> rows, <paramref name="positions"/>
    /// positions each, reads: every weight once, every row's keys and values once per layer.
    /// </summary>
    public static (double WeightMb, double KvMb) StepBytes(ModelConfig config, int rows, double positions) =>
        (config.ParameterCount() * 4.0 / 1e6,
         2.0 * config.NumHiddenLayers * config.NumKeyValueHeads * config.HeadDim * 4.0 * rows * positions / 1e6);

    /// <summary>
    /// How long a row in flight is, on average over decode steps: the prompt plus Σ L² / (2 Σ L) of the drawn lengths,
    /// since a row of L tokens is in flight for L steps at positions growing from the prompt to prompt + L.
    /// </summary>
    public static double MeanPositionInFlight(Workload w, int[][] lengths)
    {
        var all = lengths.SelectMany(l => l).Select(l => (double)l).ToArray();
        return w.PromptLength + all.Sum(l => l * l) / (2 * all.Sum());
    }

    /// <summary>Keys and values of N rows × (prompt + max-new-tokens) tokens: what a static batch allocates per call.</summary>
    public static long StaticCacheBytes(ModelConfig config, Workload w) =>
        2L * config.NumHiddenLayers * w.Rows * config.NumKeyValueHeads * (w.PromptLength + w.MaxNewTokens) * config.HeadDim * sizeof(float);

    private static SamplingOptions Options(Workload w, int checkInterval) =>
        new() { MaxNewTokens = w.MaxNewTokens, Temperature = 1.0, FinishCheckInterval = checkInterval, DecodeAttention = w.Attention };

    private static IReadOnlyList<int>[] Prompts(ModelConfig config, Workload w)
    {
        var random = new Random(w.Seed + 1);
        return [.. Enumerable.Range(0, w.Groups).Select(_ => (IReadOnlyList<int>)[.. Enumerable.Range(0, w.PromptLength).Select(_ => random.Next(2, config.VocabSize))])];
    }
}
