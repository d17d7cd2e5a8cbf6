using System.CommandLine;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using R1Actors.Policy;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Bench.Commands;

/// <summary>
/// <c>r1actors-bench sampling</c>: KV cache against recomputation at 256 new tokens, tokens/s and achieved
/// GFLOP/s for the tiny demo model and a randomly initialised Qwen2.5-0.5B-shaped model against this machine's
/// matmul ceiling measured in the same run, resident memory over 1,000 generate calls, and static against
/// continuous batching on a long-tailed workload (<see cref="LongTailFigures"/>).
/// </summary>
public static class SamplingBenchCommand
{
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads (0 = one per core)", DefaultValueFactory = _ => 0 };
        var skipLarge = new Option<bool>("--skip-large") { Description = "Leave out the Qwen2.5-0.5B-shaped model (needs about 3 GiB)" };
        var calls = new Option<int>("--memory-calls") { Description = "Generate calls in the memory check", DefaultValueFactory = _ => 1000 };
        var groups = new Option<int>("--long-tail-groups")
        {
            Description = "Groups (prompts x 8 samples) in the long-tailed static-vs-continuous workload; 48 is quick, 400 is the big workload",
            DefaultValueFactory = _ => 48,
        };
        var pairs = new Option<int>("--long-tail-pairs")
        {
            Description = "Alternating static/continuous pairs of the long-tailed workload; its figures are the medians over them",
            DefaultValueFactory = _ => 3,
        };
        var decoderGroups = new Option<int>("--long-tail-decoder-groups")
        {
            Description = "Groups in the same workload for a model of a real decoder's proportions (15M parameters, about a minute a pair); 0 leaves it out",
            DefaultValueFactory = _ => 16,
        };
        var longTailOnly = new Option<bool>("--long-tail-only") { Description = "Run only the long-tailed static-vs-continuous workload" };
        var decode = new Option<string[]>("--decode")
        {
            Description = "Run only these decode workloads' tokens/s (demo, tiny256, qwen05b), as bench/pytorch/eager_decode.py names them",
            AllowMultipleArgumentsPerToken = true,
        };
        var attention = new Option<string>("--decode-attention")
        {
            Description = "Who attends decode steps in --decode and the long-tailed workload: auto (R1Actors' CPU kernel in float32) or libtorch",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command("sampling", "Sampling tokens/s with and without the KV cache, achieved GFLOP/s against this machine's matmul ceiling, memory over 1,000 generate calls");
        command.Add(threads);
        command.Add(skipLarge);
        command.Add(calls);
        command.Add(groups);
        command.Add(pairs);
        command.Add(decoderGroups);
        command.Add(longTailOnly);
        command.Add(decode);
        command.Add(attention);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var count = parse.GetValue(calls);
            if (count < 200)
                throw new UsageException($"--memory-calls: expected at least 200, got {count}");
            var groupCount = parse.GetValue(groups);
            if (groupCount < 8)
                throw new UsageException($"--long-tail-groups: expected at least 8, got {groupCount}");
            var decoderGroupCount = parse.GetValue(decoderGroups);
            if (decoderGroupCount is < 0 or > 0 and < 8)
                throw new UsageException($"--long-tail-decoder-groups: expected 0 or at least 8, got {decoderGroupCount}");
            var pairCount = parse.GetValue(pairs);
            if (pairCount < 1)
                throw new UsageException($"--long-tail-pairs: expected at least 1, got {pairCount}");
            var attentionPath = parse.GetValue(attention) switch
            {
                "auto" => DecodeAttentionPath.Auto,
                "libtorch" => DecodeAttentionPath.Libtorch,
                var other => throw new UsageException($"--decode-attention: expected auto or libtorch, got '{other}'"),
            };
            var runtime = TorchRuntime.Configure(parse.GetValue(threads));
            var report = new BenchReport("sampling");
            report.Fact("machine", "Machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");
            report.Fact("torch", "Torch", runtime);
            report.Fact("decode_attention", "Decode attention (--decode and the long-tailed workload)", attentionPath == DecodeAttentionPath.Auto ? "auto: R1Actors' kernel on the CPU in float32" : "libtorch");
            if (parse.GetValue(decode) is { Length: > 0 } workloads)
                DecodeFigures.Run(report, workloads, attentionPath);
            else
            {
                if (!parse.GetValue(longTailOnly))
                    Run(report, !parse.GetValue(skipLarge), count);
                LongTailFigures.Run(report, groupCount, pairCount, decoderGroupCount, attentionPath);
            }
            report.Finish();
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Run(BenchReport report, bool large, int memoryCalls)
    {
        var ceiling = SamplingBenchmark.MatmulGflops();
        report.Figure("matmul_gflops", "float32 matmul 1024x1024 (ceiling)", ceiling, "GFLOP/s", "F1");

        var (tiny, _) = TinyModels.Create(SamplingBenchmark.DemoShape, CPU, ScalarType.Float32);
        using (tiny)
        {
            report.Section($"Tiny demo model ({tiny.Config.ParameterCount() / 1e6:F2}M parameters): 32 prompts x 8 samples, 24-character prompts, 10 new tokens");
            Figures(report, "tiny", SamplingBenchmark.Measure(tiny, new(32, 8, 24, 10)), ceiling);

            report.Section("KV cache against recomputing the prefix, tiny model, 4 prompts x 2 samples, 256 new tokens");
            var cached = SamplingBenchmark.Measure(tiny, new(4, 2, 24, 256), repeats: 2);
            var recomputed = SamplingBenchmark.Measure(tiny, new(4, 2, 24, 256, UseKvCache: false), repeats: 1);
            report.Figure("cache_tokens_per_s", "with KV cache", cached.TokensPerSecond, "tokens/s", "F0");
            report.Figure("no_cache_tokens_per_s", "recomputing every step", recomputed.TokensPerSecond, "tokens/s", "F0");
            var speedup = cached.TokensPerSecond / recomputed.TokensPerSecond;
            report.Figure("cache_speedup", "speed-up", speedup, "x", "F1");
            report.Check("cache_wins_5x", "KV cache at least 5x faster", speedup >= 5);

            report.Section($"Memory: {memoryCalls} generate calls of 4 prompts x 2 samples, 16 new tokens (tiny model)");
            var resident = SamplingBenchmark.ResidentAfterCalls(tiny, new(4, 2, 24, 16), [100, memoryCalls]);
            report.Figure("rss_after_100_mib", "resident after 100 calls", resident[0] / 1048576.0, "MiB", "F1");
            report.Figure($"rss_after_{memoryCalls}_mib", $"resident after {memoryCalls} calls", resident[1] / 1048576.0, "MiB", "F1");
            var growth = (resident[1] - resident[0]) / (double)resident[0] * 100;
            report.Figure("rss_growth_percent", "growth", growth, "%", "F2");
            report.Check("rss_within_5_percent", "within 5% of the size after 100 calls", Math.Abs(growth) <= 5);
        }

        if (large)
        {
            using var model = ModelInitializer.CreateRandom(SamplingBenchmark.Qwen25HalfB, ScalarType.Float32, CPU, seed: 1);
            report.Section($"Qwen2.5-0.5B-shaped model ({model.Config.ParameterCount() / 1e6:F0}M parameters, float32, random): 2 prompts x 2 samples, 32-token prompts, 32 new tokens");
            Figures(report, "qwen05b", SamplingBenchmark.Measure(model, new(2, 2, 32, 32), repeats: 2), ceiling);
        }
    }

    private static void Figures(BenchReport report, string key, SamplingBenchmark.Measurement m, double ceiling)
    {
        report.Figure($"{key}_tokens_per_s", "generated tokens/s", m.TokensPerSecond, "tokens/s", "F0");
        report.Figure($"{key}_gflops", "achieved (useful FLOPs)", m.GflopsPerSecond, "GFLOP/s", "F2");
        report.Figure($"{key}_fraction_of_ceiling_percent", "of the matmul ceiling", m.GflopsPerSecond / ceiling * 100, "%", "F1");
    }
}
