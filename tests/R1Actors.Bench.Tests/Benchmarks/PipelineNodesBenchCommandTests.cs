using System.Diagnostics;
using System.Text.Json;
using R1Actors.Cli;
using R1Actors.Tests;

namespace R1Actors.Bench.Tests.Benchmarks;

/// <summary>
/// <c>r1actors-bench pipeline-nodes</c> as a user runs it, short: the learner in the bench's process, one and then two
/// sampler node processes on 127.0.0.1: every node joins and samples its share, every step is a full batch, the nodes
/// stop on their own. Speed is the benchmark's to measure (two nodes ≥ 1.8× one, on a quiet machine), not this test's:
/// under the load of a whole test suite the ratio says nothing.
/// </summary>
public sealed class PipelineNodesBenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-bench-nodes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void One_and_two_sampler_nodes_share_the_sampling_train_full_batches_and_are_stopped_at_the_end()
    {
        const int steps = 12;
        var run = BuiltExecutable.Run(BuiltExecutable.Bench, RepositoryPaths.Root, TimeSpan.FromMinutes(4),
            "pipeline-nodes", "--nodes", "1,2", "--steps", $"{steps}", "--rounds", "1", "--out", _dir);

        Assert.True(run.ExitCode == ExitCodes.Success, $"exit code {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        using var json = JsonDocument.Parse(run.LastLine);
        var figures = json.RootElement;
        Assert.Equal("pipeline-nodes", figures.GetProperty("benchmark").GetString());
        foreach (var nodes in (int[])[1, 2])
        {
            var key = $"nodes_{nodes}";
            Assert.Equal(nodes, figures.GetProperty($"{key}_joined").GetDouble());
            Assert.True(figures.GetProperty($"{key}_work_done").GetBoolean(), key);
            var trained = figures.GetProperty($"{key}_steps").GetDouble();
            Assert.True(trained >= steps, $"{key}: {trained} steps");
            Assert.Equal(trained * 32 * 4, figures.GetProperty($"{key}_rollouts_trained").GetDouble());   // B × G every step
            Assert.InRange(figures.GetProperty($"{key}_fraction_of_bound_percent").GetDouble(), 1, 101);
            Assert.InRange(figures.GetProperty($"{key}_least_node_share_percent").GetDouble(), 100.0 / nodes / 3, 100);   // each node did its part
            for (var i = 1; i <= nodes; i++)
            {
                // Each node left and ended on its own when the bench closed its input, rather than being killed.
                Assert.Contains($"Sampler node node-{i} stopped (", File.ReadAllText(Path.Combine(_dir, $"round-1-nodes-{nodes}", $"node-{i}.log")), StringComparison.Ordinal);
            }
        }
        Assert.Equal(1, figures.GetProperty("nodes_1_speedup").GetDouble());
        Assert.True(figures.GetProperty("nodes_2_speedup").GetDouble() > 0, run.Stdout);
        Assert.Contains(figures.GetProperty("two_nodes_at_least_1_8x").ValueKind, (JsonValueKind[])[JsonValueKind.True, JsonValueKind.False]);
    }

    [Fact]
    public async Task A_sampler_node_stops_when_its_standard_input_closes_so_it_never_outlives_the_bench()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, BuiltExecutable.Bench))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // A learner that is not there: the node keeps trying to join until told to stop.
        foreach (var argument in (string[])["sampler-node", "--seed-node", "127.0.0.1:9", "--cache", Path.Combine(_dir, "cache")])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            using (var running = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.WaitForExitAsync(running.Token));   // still trying to join
            }
            process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);   // throws if it still runs 30 s after its input closed
            var output = await stdout + await stderr;
            Assert.True(process.ExitCode == ExitCodes.Success, $"exit code {process.ExitCode}\n{output}");
            Assert.Contains("stopped (stop requested)", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }
}
