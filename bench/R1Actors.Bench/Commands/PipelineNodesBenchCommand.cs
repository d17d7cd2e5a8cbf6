using System.CommandLine;
using System.Globalization;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using Serilog;

namespace R1Actors.Bench.Commands;

/// <summary>
/// <c>r1actors-bench pipeline-nodes</c>: the pipeline with sampling spread over sampler node processes on this machine
/// (<see cref="SamplerNodesBenchmark"/>), sampling the slowest stage: throughput with each number of nodes and the
/// speed-up over the fewest. A command of its own rather than an option of <c>pipeline</c>: it starts child processes
/// and a cluster, runs none of <c>pipeline</c>'s in-process scenarios, and has its own bar (issue 17: two nodes ≥ 1.8×
/// one). Rounds run every node count in turn, so a busy moment of the machine falls on all of them; figures are medians.
/// </summary>
public static class PipelineNodesBenchCommand
{
    public static Command Create()
    {
        var nodes = new Option<string[]>("--nodes")
        {
            Description = "Sampler node counts to measure, space- or comma-separated; the speed-up is over the first",
            DefaultValueFactory = _ => ["1", "2"],
            AllowMultipleArgumentsPerToken = true,
        };
        var steps = new Option<int>("--steps") { Description = "Learner steps timed per run, after every node joined (the first eighth are warm-up)", DefaultValueFactory = _ => 40 };
        var devices = new Option<int>("--devices-per-node") { Description = "Simulated devices on each sampler node", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "Runs of every node count, in turn; figures are the medians", DefaultValueFactory = _ => 3 };
        var output = new Option<string>("--out") { Description = "Folder for the nodes' logs and fetched files (emptied first)", DefaultValueFactory = _ => Path.Combine("runs", "bench-pipeline-nodes") };
        var command = new Command("pipeline-nodes", "Actor pipeline with its simulated sampling devices on sampler node processes joined over Akka.Cluster: throughput with 1 and 2 nodes, sampling the slowest stage");
        foreach (var option in (Option[])[nodes, steps, devices, rounds, output])
            command.Add(option);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var counts = NodeCounts(parse.GetValue(nodes)!);
            var (stepCount, deviceCount, roundCount) = (parse.GetValue(steps), parse.GetValue(devices), parse.GetValue(rounds));
            if (stepCount < 8)
                throw new UsageException($"--steps: expected at least 8, got {stepCount}");
            if (deviceCount < 1)
                throw new UsageException($"--devices-per-node: expected at least 1, got {deviceCount}");
            if (roundCount < 1)
                throw new UsageException($"--rounds: expected at least 1, got {roundCount}");
            using var stop = new StopSignals();
            Run(BenchScenario.SamplerNodes(stepCount, deviceCount), counts, roundCount, parse.GetValue(output)!, stop.Token).GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task Run(BenchScenario scenario, IReadOnlyList<int> counts, int rounds, string folder, CancellationToken cancellationToken)
    {
        // Warnings and errors go to stderr; stdout carries only the figures.
        Log.Logger = new LoggerConfiguration().MinimumLevel.Warning()
            .WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        var report = new BenchReport("pipeline-nodes");
        report.Fact("machine", "Machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");
        var runs = counts.ToDictionary(n => n, _ => new List<SamplerNodesRun>());
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var n in counts)
            {
                var run = await SamplerNodesBenchmark.RunAsync(scenario, n, Path.Combine(folder, $"round-{round}-nodes-{n}"), cancellationToken).ConfigureAwait(false);
                runs[n].Add(run);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}, {n} nodes: {run.RolloutsPerSecond:F0} rollouts/s over {run.MeasuredSteps} steps ({run.MeasuredSeconds:F1} s), joined in {run.JoinSeconds:F1} s")).ConfigureAwait(false);
            }
        }
        report.Section($"Sampling spread over sampler node processes on 127.0.0.1: {scenario.Devices} simulated devices a node ({scenario.BatchCost.TotalMilliseconds / scenario.PromptsPerBatch} ms a prompt, batches of {scenario.PromptsPerBatch}x{scenario.GroupSize}), "
            + $"verification {scenario.VerifyCost.TotalMilliseconds} ms a completion on {scenario.Verifiers}, learning {scenario.StepCost.TotalMilliseconds} ms a step of {scenario.GroupsPerStep}x{scenario.GroupSize}, k={scenario.MaxStaleness}; medians of {rounds} rounds");
        var first = counts[0];
        foreach (var n in counts)
        {
            var r = runs[n];
            report.Figure($"nodes_{n}_joined", $"{n} nodes: nodes that joined (least over rounds)", r.Min(x => x.Joined), "", "F0");
            report.Figure($"nodes_{n}_rollouts_per_s", $"{n} nodes: throughput", Median(r.Select(x => x.RolloutsPerSecond)), "rollouts/s", "F0");
            report.Figure($"nodes_{n}_groups_per_s", $"{n} nodes: throughput", Median(r.Select(x => x.GroupsPerSecond)), "groups/s", "F1");
            report.Figure($"nodes_{n}_bound_rollouts_per_s", $"{n} nodes: slowest-stage bound (sampling)", scenario.BoundWithNodes(n), "rollouts/s", "F0");
            report.Figure($"nodes_{n}_fraction_of_bound_percent", $"{n} nodes: throughput / bound", Median(r.Select(x => x.RolloutsPerSecond)) / scenario.BoundWithNodes(n) * 100, "%", "F1");
            report.Figure($"nodes_{n}_speedup", $"{n} nodes: speed-up over {first} (median of each round's ratio)",
                Median(r.Select((x, i) => x.RolloutsPerSecond / runs[first][i].RolloutsPerSecond)), "x");
            report.Figure($"nodes_{n}_least_node_share_percent", $"{n} nodes: least busy node's share of rollouts (ideal {100.0 / n:F0} %)", Median(r.Select(x => x.LeastNodeShare * 100)), "%", "F1");
            report.Figure($"nodes_{n}_steps", $"{n} nodes: learner steps, every round", r.Sum(x => x.StepsCompleted), "", "F0");
            report.Figure($"nodes_{n}_rollouts_trained", $"{n} nodes: rollouts trained (steps x B x G: {r.Sum(x => x.RolloutsExpected)})", r.Sum(x => x.RolloutsTrained), "", "F0");
            report.Figure($"nodes_{n}_dropped_rollouts", $"{n} nodes: rollouts dropped as stale", r.Sum(x => x.DroppedRollouts), "", "F0");
            report.Check($"nodes_{n}_work_done", $"{n} nodes: every node joined and sampled, every step a full batch", r.All(x => x.Complete));
        }
        if (counts.Contains(1) && counts.Contains(2))
        {
            var speedup = Median(runs[2].Select((x, i) => x.RolloutsPerSecond / runs[1][i].RolloutsPerSecond));
            report.Check("two_nodes_at_least_1_8x", "2 sampler nodes >= 1.8x the throughput of 1", speedup >= 1.8);
        }
        report.Fact("steps_per_run", "steps timed per run", scenario.Steps.ToString(CultureInfo.InvariantCulture));
        report.Finish();
    }

    private static List<int> NodeCounts(string[] values)
    {
        var counts = new List<int>();
        foreach (var value in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 16)
                throw new UsageException($"--nodes: expected node counts from 1 to 16, got '{value}'");
            if (!counts.Contains(n))
                counts.Add(n);
        }
        return counts.Count > 0 ? counts : throw new UsageException("--nodes: expected at least one node count");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
