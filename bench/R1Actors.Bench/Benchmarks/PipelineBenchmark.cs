using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using R1Actors.Simulation;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Settings;
using Serilog;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// Runs simulated scenarios through the real pipeline (actors, stream, staleness gate), and the same stages as
/// the synchronous loop most trainers run (sample everything, then verify everything, then learn) for
/// comparison. Figures cover the steps after the warm-up, timed from step report to step report.
/// </summary>
public static class PipelineBenchmark
{
    /// <param name="continuous">Continuously batching devices instead of the scenario's fixed cost per batch.</param>
    public static async Task<BenchResult> RunPipelineAsync(ActorSystem system, BenchScenario scenario, ILogger log, CancellationToken cancellationToken,
        SimulatedContinuousSamplerFactory? continuous = null, int slots = 0)
    {
        var stamps = new ConcurrentQueue<(long Timestamp, StepReport Report)>();
        var settings = Settings(scenario) with
        {
            ContinuousPrompts = continuous is null ? 0 : slots + 1,
            WeightSwitch = WeightSwitch.BetweenSteps,
        };
        await TrainingPipeline.RunAsync(new PipelineRun
        {
            System = system,
            Settings = settings,
            Prompts = Prompts(),
            Ports = new PipelinePorts(
                continuous ?? (ISamplerPortFactory)new SimulatedSamplerFactory(new SimulatedDeviceCosts(scenario.BatchCost, TimeSpan.Zero, TimeSpan.Zero)),
                new SimulatedVerifier(scenario.VerifyCost),
                new SimulatedLearner(scenario.StepCost)),
            Log = log,
            OnStep = report => stamps.Enqueue((Stopwatch.GetTimestamp(), report)),
        }, cancellationToken).ConfigureAwait(false);
        var measured = stamps.Skip(scenario.WarmupSteps).ToArray();
        var seconds = Stopwatch.GetElapsedTime(stamps.ElementAt(scenario.WarmupSteps - 1).Timestamp, measured[^1].Timestamp).TotalSeconds;
        var metrics = measured.Select(m => m.Report.Pipeline).ToArray();
        var busy = settings.Devices.ToDictionary(
            d => d,
            d => metrics.Sum(m => m.SamplerBusy[d] * m.StepSeconds) / metrics.Sum(m => m.StepSeconds),
            StringComparer.Ordinal);
        return new BenchResult(
            scenario,
            metrics.Sum(m => m.RolloutsTrained) / seconds,
            measured.Length / seconds,
            busy,
            seconds,
            metrics[^1].DroppedRolloutsTotal,
            metrics.SelectMany(m => m.StalenessHistogram.Keys).Select(k => long.Parse(k, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max());
    }

    /// <summary>
    /// The synchronous loop: a step's prompts are sampled (devices in parallel, each one batch after another),
    /// then all its completions are verified (the verifier pool in parallel), then the learner steps.
    /// </summary>
    public static BenchResult RunSequential(BenchScenario scenario)
    {
        var samplers = Enumerable.Range(0, scenario.Devices)
            .Select(i => new SimulatedSampler($"sim:{i}", new SimulatedDeviceCosts(scenario.BatchCost, TimeSpan.Zero, TimeSpan.Zero)))
            .ToArray();
        var verifier = new SimulatedVerifier(scenario.VerifyCost);
        var learner = new SimulatedLearner(scenario.StepCost);
        using var prompts = Prompts().From(new PromptCursor(0, 0), []).GetEnumerator();
        var busy = new double[scenario.Devices];
        long started = 0;
        for (var step = 0; step < scenario.Steps; step++)
        {
            if (step == scenario.WarmupSteps)
                started = Stopwatch.GetTimestamp();
            var stepPrompts = Enumerable.Range(0, scenario.GroupsPerStep).Select(_ => prompts.MoveNext() ? prompts.Current : throw new InvalidOperationException("prompts ran out")).ToArray();
            var rollouts = Sample(samplers, scenario, stepPrompts, learner.PolicyVersion, step >= scenario.WarmupSteps ? busy : null);
            var scored = Verify(verifier, scenario.Verifiers, rollouts);
            var groups = scored.GroupBy(s => s.Rollout.Prompt.Ordinal).Select(g => new ScoredGroup(g.First().Rollout.Prompt, [.. g])).ToArray();
            learner.Step(new LearnerBatch(step, learner.PolicyVersion, groups));
            foreach (var sampler in samplers)
                sampler.ApplyWeights(learner.PolicyVersion);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var steps = scenario.Steps - scenario.WarmupSteps;
        return new BenchResult(
            scenario,
            steps * scenario.RolloutsPerStep / seconds,
            steps / seconds,
            samplers.Select((s, i) => (s.Device, Busy: busy[i] / seconds)).ToDictionary(p => p.Device, p => p.Busy, StringComparer.Ordinal),
            seconds,
            DroppedRollouts: 0,
            MaxStaleness: 0);
    }

    private static Rollout[] Sample(SimulatedSampler[] samplers, BenchScenario scenario, IssuedPrompt[] prompts, long version, double[]? busy)
    {
        var batches = prompts.Chunk(scenario.PromptsPerBatch).ToArray();
        var perDevice = new List<Rollout>[samplers.Length];
        OnThreads(samplers.Length, d =>
        {
            perDevice[d] = [];
            for (var b = d; b < batches.Length; b += samplers.Length)
            {
                var started = Stopwatch.GetTimestamp();
                perDevice[d].AddRange(samplers[d].Generate(new SampleBatch(batches[b], scenario.GroupSize, 1, version)));
                if (busy is not null)
                    busy[d] += Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
        });
        return perDevice.SelectMany(r => r).ToArray();
    }

    private static ScoredRollout[] Verify(SimulatedVerifier verifier, int workers, Rollout[] rollouts)
    {
        var scored = new ScoredRollout[rollouts.Length];
        var next = -1;
        OnThreads(workers, _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < rollouts.Length; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                var outcome = verifier.ScoreAsync(rollouts[i].Prompt.Prompt.Task, rollouts[i].CompletionText, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                scored[i] = new ScoredRollout(rollouts[i], outcome, Stopwatch.GetElapsedTime(started));
            }
        });
        return scored;
    }

    /// <summary>Runs <paramref name="body"/>(i) for i in [0, n) on n dedicated threads (as the pipeline's actors have) and waits.</summary>
    private static void OnThreads(int n, Action<int> body)
    {
        var threads = Enumerable.Range(0, n).Select(i => new Thread(() => body(i)) { IsBackground = true }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();
    }

    internal static PipelineSettings Settings(BenchScenario s) => new(
        Enumerable.Range(0, s.Devices).Select(i => $"sim:{i}").ToArray(),
        s.GroupSize,
        s.GroupsPerStep,
        s.PromptsPerBatch,
        BatchLinger: TimeSpan.FromMilliseconds(1),
        SamplerQueue: 1,
        s.MaxStaleness,
        s.Verifiers,
        RolloutBuffer: 0,
        GroupBuffer: 0,
        MaxSteps: s.Steps,
        CheckpointEvery: 0,
        CheckpointOnStop: false,
        SampleTimeout: TimeSpan.FromMinutes(1),
        VerifyTimeout: TimeSpan.FromMinutes(1),
        Seed: 1,
        new SupervisionSettings(0, TimeSpan.FromMinutes(1), 1, TimeSpan.FromMinutes(1)));

    internal static PromptStream Prompts() => new(
        new ArithmeticGenerator(new ArithmeticOptions(100_000, 2, 4, ArithmeticOperation.All, false), 1, new HeldOutPartition(0), DataSplit.Training),
        shuffle: true, dataSeed: 1, maxEpochs: 0);
}
