using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Bench.Commands;

/// <summary>
/// <c>r1actors-bench sampling --decode demo tiny256 qwen05b</c>: tokens/s of the three decode workloads alone, with
/// the names, shapes, warm-up and repeats of <c>bench/pytorch/eager_decode.py</c>, the eager PyTorch loop they are
/// measured against in alternating runs (README, sampling).
/// </summary>
public static class DecodeFigures
{
    private static readonly Dictionary<string, (bool Large, SamplingBenchmark.Workload Workload, int Repeats)> Workloads = new()
    {
        ["demo"] = (false, new(32, 8, 24, 10), 3),
        ["tiny256"] = (false, new(4, 2, 24, 256), 2),
        ["qwen05b"] = (true, new(2, 2, 32, 32), 2),
    };

    public static void Run(BenchReport report, IReadOnlyList<string> names, DecodeAttentionPath attention)
    {
        if (names.FirstOrDefault(n => !Workloads.ContainsKey(n)) is { } unknown)
            throw new UsageException($"--decode: unknown workload '{unknown}'; expected {string.Join(", ", Workloads.Keys)}");
        foreach (var name in names)
        {
            var (large, workload, repeats) = Workloads[name];
            using var model = large
                ? ModelInitializer.CreateRandom(SamplingBenchmark.Qwen25HalfB, ScalarType.Float32, CPU, seed: 1)
                : TinyModels.Create(SamplingBenchmark.DemoShape, CPU, ScalarType.Float32).Model;
            var m = SamplingBenchmark.Measure(model, workload with { Attention = attention }, repeats);
            report.Figure($"{name}_tokens_per_s", $"{name}: {workload.Prompts} x {workload.SamplesPerPrompt} x {workload.NewTokens} new tokens", m.TokensPerSecond, "tokens/s", "F2");
        }
    }
}
