using System.CommandLine;
using System.Globalization;
using Akka.Configuration;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using R1Actors.Logging;
using R1Actors.Pipeline.Graph;
using R1Actors.Simulation;
using Serilog;

namespace R1Actors.Bench.Commands;

/// <summary>
/// <c>r1actors-bench pipeline</c>: the actor pipeline over simulated devices (a device is a sampler whose cost
/// per batch is a parameter), so the figures measure the actor logic, not a model; with long-tailed lengths, the
/// devices batch continuously and their occupancy (rows in flight / slots) is reported beside busy.
/// </summary>
public static class PipelineBenchCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps")
        {
            Description = "Learner steps per scenario (the first eighth are warm-up and not measured)",
            DefaultValueFactory = _ => 40,
        };
        var command = new Command("pipeline", "Actor pipeline with simulated devices: busy fractions, throughput against the slowest-stage bound, k=1 vs k=0, overhead per rollout");
        command.Add(steps);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var count = parse.GetValue(steps);
            if (count < 8)
                throw new UsageException($"--steps: expected at least 8, got {count}");
            Run(count).GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task Run(int steps)
    {
        var report = new BenchReport("pipeline");
        // Warnings and errors (a dropped rollout, a fault) go to stderr; stdout carries only the figures.
        var quiet = new LoggerConfiguration().MinimumLevel.Warning()
            .WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
        Log.Logger = quiet;
        using var system = PipelineDispatchers.CreateSystem("r1-bench", ConfigurationFactory.ParseString(
            AkkaSerilogLogger.AkkaConfig + "\nakka.log-dead-letters-during-shutdown = off\nakka.stdout-loglevel = OFF\n"));
        report.Fact("machine", "Machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");

        var bound = BenchScenario.SamplingBound(steps);
        var busy = await PipelineBenchmark.RunPipelineAsync(system, bound, quiet, CancellationToken.None);
        report.Section($"Sampling-bound: {bound.Devices} simulated devices ({bound.BatchCost.TotalMilliseconds} ms per batch of {bound.PromptsPerBatch}x{bound.GroupSize}), verification and learning half as costly, k={bound.MaxStaleness}");
        foreach (var (device, fraction) in busy.DeviceBusy)
            report.Figure($"busy_{device.Replace(':', '_')}", $"device {device} busy", fraction * 100, "%", "F1");
        report.Figure("busy_min_percent", "least busy device", busy.MinDeviceBusy * 100, "%", "F1");
        report.Figure("sampling_bound_rollouts_per_s", "slowest-stage bound", bound.Bound, "rollouts/s", "F0");
        report.Figure("sampling_bound_throughput", "throughput", busy.RolloutsPerSecond, "rollouts/s", "F0");
        report.Figure("sampling_bound_fraction_percent", "throughput / bound", busy.FractionOfBound * 100, "%", "F1");
        report.Figure("sampling_bound_dropped", "rollouts dropped as stale", busy.DroppedRollouts, "", "F0");
        report.Check("every_device_95_busy", "every device >= 95% busy", busy.MinDeviceBusy >= 0.95);
        report.Check("throughput_90_of_bound", "throughput >= 90% of the bound", busy.FractionOfBound >= 0.90);

        var pipelined = await PipelineBenchmark.RunPipelineAsync(system, BenchScenario.EqualStages(steps, 1), quiet, CancellationToken.None);
        var onPolicy = await PipelineBenchmark.RunPipelineAsync(system, BenchScenario.EqualStages(steps, 0), quiet, CancellationToken.None);
        var sequential = PipelineBenchmark.RunSequential(BenchScenario.EqualStages(steps, 0));
        var equal = pipelined.Scenario;
        report.Section($"Equal stages: {equal.StepCost.TotalMilliseconds} ms each of sampling, verification and learning per step ({equal.RolloutsPerStep} rollouts)");
        report.Figure("sequential_steps_per_s", "synchronous loop (sample, then verify, then learn)", sequential.StepsPerSecond, "steps/s");
        report.Figure("pipeline_k0_steps_per_s", "pipeline, k=0 (verification overlaps sampling)", onPolicy.StepsPerSecond, "steps/s");
        report.Figure("pipeline_k1_steps_per_s", "pipeline, k=1", pipelined.StepsPerSecond, "steps/s");
        report.Figure("pipeline_k1_max_staleness", "largest staleness trained on at k=1", pipelined.MaxStaleness, "", "F0");
        var speedup = pipelined.RolloutsPerSecond / sequential.RolloutsPerSecond;
        report.Figure("k1_speedup_over_sequential", "k=1 pipeline / synchronous loop (ideal 3)", speedup, "x");
        report.Check("k1_at_least_2_5x", "k=1 >= 2.5x the synchronous loop", speedup >= 2.5);

        var tail = BenchScenario.LongTailed(steps);
        var devices = new SimulatedContinuousSamplerFactory(slots: 32, TimeSpan.FromMilliseconds(1), medianLength: 64, maxLength: 1024);
        var continuous = await PipelineBenchmark.RunPipelineAsync(system, tail, quiet, CancellationToken.None, devices, slots: 32);
        report.Section($"Long-tailed, continuous batching: {tail.Devices} simulated devices of 32 slots, 1 ms a decode step, lengths lognormal (median 64, p99 ~1,000, cap 1,024), k={tail.MaxStaleness}");
        foreach (var (device, fraction) in continuous.DeviceBusy)
            report.Figure($"long_tail_busy_{device.Replace(':', '_')}", $"device {device} busy", fraction * 100, "%", "F1");
        foreach (var sampler in devices.Created)
            report.Figure($"long_tail_occupancy_{sampler.Device.Replace(':', '_')}", $"device {sampler.Device} occupancy (active rows / slots over decode steps)",
                sampler.Occupancy.ActiveRowSteps * 100.0 / sampler.Occupancy.SlotSteps, "%", "F1");
        var occupancy = devices.Created.Min(d => d.Occupancy.ActiveRowSteps / (double)d.Occupancy.SlotSteps);
        report.Figure("long_tail_occupancy_min_percent", "least occupied device", occupancy * 100, "%", "F1");
        report.Figure("long_tail_throughput", "throughput", continuous.RolloutsPerSecond, "rollouts/s", "F0");
        report.Figure("long_tail_bound", "bound: every slot busy at 1 ms a step", tail.SamplingRate, "rollouts/s", "F0");
        report.Check("long_tail_occupancy_90", "every device >= 90% occupied, not only busy", occupancy >= 0.90);

        var overhead = await PipelineBenchmark.RunPipelineAsync(system, BenchScenario.Overhead(steps * 5), quiet, CancellationToken.None);
        report.Section($"Overhead: every stage free, {overhead.Scenario.Devices} devices, {overhead.Scenario.Verifiers} verifiers, {overhead.Scenario.RolloutsPerStep} rollouts per step");
        report.Figure("overhead_rollouts_per_s", "rollouts through the pipeline", overhead.RolloutsPerSecond, "rollouts/s", "F0");
        report.Figure("overhead_us_per_rollout", "pipeline overhead per rollout", overhead.MicrosecondsPerRollout, "us", "F1");
        report.Figure("overhead_dropped", "rollouts dropped as stale (overtaken groups, k=2)", overhead.DroppedRollouts, "", "F0");
        report.Fact("steps_per_scenario", "steps per scenario", steps.ToString(CultureInfo.InvariantCulture));
        report.Finish();
    }
}
