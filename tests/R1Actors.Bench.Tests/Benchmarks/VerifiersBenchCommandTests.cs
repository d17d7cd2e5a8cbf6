using System.Text.Json;
using R1Actors.Cli;
using R1Actors.Tests;

namespace R1Actors.Bench.Tests.Benchmarks;

/// <summary><c>r1actors-bench verifiers</c> as a user runs it, short: every figure present, the timed work really done.</summary>
public sealed class VerifiersBenchCommandTests
{
    [Fact]
    public void The_bench_times_warm_and_cold_sandboxes_on_trivial_and_humaneval_programs_and_every_run_is_right()
    {
        var run = BuiltExecutable.Run(BuiltExecutable.Bench, RepositoryPaths.Root, TimeSpan.FromMinutes(3),
            "verifiers", "--math-seconds", "0.5", "--runs", "10", "--cold-runs", "10", "--no-unprivileged");

        Assert.True(run.ExitCode == ExitCodes.Success, $"exit code {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        using var json = JsonDocument.Parse(run.LastLine);
        var figures = json.RootElement;
        Assert.Equal("verifiers", figures.GetProperty("benchmark").GetString());
        Assert.True(figures.GetProperty("math_verifications_per_second_per_core").GetDouble() > 0);
        foreach (var pool in (string[])["warm", "cold"])
        {
            foreach (var workload in (string[])["trivial", "humaneval"])
            {
                var key = $"{pool}_{workload}";
                Assert.True(figures.GetProperty($"{key}_runs_per_second").GetDouble() > 0, key);
                Assert.InRange(figures.GetProperty($"{key}_median_ms").GetDouble(), 0.1, figures.GetProperty($"{key}_p99_ms").GetDouble());
                Assert.Equal(0, figures.GetProperty($"{key}_failed").GetDouble());
                Assert.Equal(0, figures.GetProperty($"{key}_wrong_passed").GetDouble());
                Assert.Equal(0, figures.GetProperty($"{key}_sandbox_faults").GetDouble());
            }
        }
        // The warm pool started one server per slot; cold spawn one per job.
        Assert.Equal(2, figures.GetProperty("warm_servers_started").GetDouble());
        Assert.True(figures.GetProperty("cold_servers_started").GetDouble() >= 2 * (4 + 10 + 10));
        Assert.Contains(figures.GetProperty("warm_pool_meets_100_runs_per_second").ValueKind, (JsonValueKind[])[JsonValueKind.True, JsonValueKind.False]);
    }
}
