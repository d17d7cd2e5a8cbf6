using System.Diagnostics;
using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using static TorchSharp.torch;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// What <c>r1actors-bench sampling</c> measures: the machine's own float32 matmul rate (the ceiling), and
/// for a model and workload the generated tokens per second and the useful GFLOP/s they amount to — FLOPs
/// counted from the model shape: each prompt read once, each generated token at its context length.
/// </summary>
public static class SamplingBenchmark
{
    /// <summary>The demo's shape: hidden 128, 3 layers, 4 heads, character vocabulary.</summary>
    public static TinyModelSettings DemoShape => new(128, 3, 4, 4, 344, 512, 10000, 7);

    /// <summary>
    /// Qwen2.5-0.5B's proportions at a size this CPU can run for minutes: hidden 448, 4 layers, 7 query heads sharing
    /// one key/value head of 64, MLP 5.4× hidden (15M parameters, 60 MB of float32 weights). A decode step of 32 rows
    /// at a few hundred positions reads more weights than keys and values, as a real decoder's does; the demo shape's
    /// step is the opposite (2.4 MB of weights, one kv head per query head), its cost nearly all attention.
    /// </summary>
    public static TinyModelSettings DecoderProportions => new(448, 4, 7, 1, 2432, 2048, 1_000_000, 7);

    /// <summary>Qwen2.5-0.5B's shape, randomly initialised.</summary>
    public static ModelConfig Qwen25HalfB => new ModelConfig
    {
        Family = Qwen2Family.Instance,
        VocabSize = 151936,
        HiddenSize = 896,
        IntermediateSize = 4864,
        NumHiddenLayers = 24,
        NumAttentionHeads = 14,
        NumKeyValueHeads = 2,
        HeadDim = 64,
        RmsNormEps = 1e-6,
        RopeTheta = 1_000_000,
        MaxPositionEmbeddings = 32768,
        TieWordEmbeddings = true,
        EosTokenIds = [151643],
    }.Validated("Qwen2.5-0.5B shape");

    public sealed record Workload(int Prompts, int SamplesPerPrompt, int PromptLength, int NewTokens, bool UseKvCache = true,
        DecodeAttentionPath Attention = DecodeAttentionPath.Auto);

    public sealed record Measurement(double Seconds, long GeneratedTokens, double Flops)
    {
        public double TokensPerSecond => GeneratedTokens / Seconds;
        public double GflopsPerSecond => Flops / Seconds / 1e9;
    }

    /// <summary>GFLOP/s of an n×n float32 matmul on this machine, best of a few runs.</summary>
    public static double MatmulGflops(int n = 1024, int repeats = 6)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        a.matmul(b).Dispose();
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>Runs the workload once to warm up, then <paramref name="repeats"/> times, and reports the total.</summary>
    public static Measurement Measure(CausalLanguageModel model, Workload workload, int repeats = 3)
    {
        var generator = new BatchGenerator(model);
        var request = Request(model.Config, workload, seed: 1);
        var options = new SamplingOptions { MaxNewTokens = workload.NewTokens, UseKvCache = workload.UseKvCache, DecodeAttention = workload.Attention };
        generator.Generate(request, options);
        long tokens = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
            tokens += generator.Generate(Request(model.Config, workload, seed: (ulong)i + 2), options).GeneratedTokens;
        return new Measurement(clock.Elapsed.TotalSeconds, tokens, repeats * Flops(model.Config, workload));
    }

    /// <summary>Resident memory (bytes) after <paramref name="checkpoints"/>[i] generate calls, each a fresh small batch.</summary>
    public static IReadOnlyList<long> ResidentAfterCalls(CausalLanguageModel model, Workload workload, IReadOnlyList<int> checkpoints)
    {
        var generator = new BatchGenerator(model);
        var options = new SamplingOptions { MaxNewTokens = workload.NewTokens };
        var resident = new List<long>();
        for (var call = 1; call <= checkpoints[^1]; call++)
        {
            generator.Generate(Request(model.Config, workload, seed: (ulong)call), options);
            if (checkpoints.Contains(call))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                resident.Add(Process.GetCurrentProcess().WorkingSet64);
            }
        }
        return resident;
    }

    /// <summary>Useful FLOPs: every prompt token once (head only on the last), every generated token at its context.</summary>
    public static double Flops(ModelConfig config, Workload workload)
    {
        var head = 2.0 * config.VocabSize * config.HiddenSize;
        double prefill = 0;
        for (var p = 0; p < workload.PromptLength; p++)
            prefill += config.FlopsPerToken(p + 1) - head;
        prefill = workload.Prompts * (prefill + head);
        double decode = 0;
        for (var t = 1; t < workload.NewTokens; t++)
            decode += config.FlopsPerToken(workload.PromptLength + t);
        return prefill + workload.Prompts * workload.SamplesPerPrompt * decode;
    }

    private static GenerationRequest Request(ModelConfig config, Workload workload, ulong seed)
    {
        var random = new Random((int)seed);
        var prompts = Enumerable.Range(0, workload.Prompts)
            .Select(_ => (IReadOnlyList<int>)[.. Enumerable.Range(0, workload.PromptLength).Select(_ => random.Next(2, config.VocabSize))])
            .ToList();
        return GenerationRequest.ForStep(prompts, workload.SamplesPerPrompt, seed, 0, [.. Enumerable.Range(0, workload.Prompts).Select(i => (long)i)]);
    }
}
