using System.Collections.Concurrent;
using Akka.Actor;
using R1Actors.Simulation;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Settings;
using R1Actors.Rewards;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace R1Actors.Pipeline.Tests;

/// <summary>Collects log events so tests can check what was logged.</summary>
public sealed class CapturedLog : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public ILogger Logger => new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);

    public IEnumerable<LogEvent> With(string property) => Events.Where(e => e.Properties.ContainsKey(property));
}

/// <summary>Small, fast pipeline set-ups over simulated devices.</summary>
public static class Harness
{
    public static PipelineSettings Settings(
        int devices = 2, int groupSize = 4, int groupsPerStep = 4, int promptsPerBatch = 2, int maxStaleness = 1,
        int verifiers = 2, long maxSteps = 5, int checkpointEvery = 0) =>
        new(
            Enumerable.Range(0, devices).Select(i => $"sim:{i}").ToArray(),
            groupSize,
            groupsPerStep,
            promptsPerBatch,
            BatchLinger: TimeSpan.FromMilliseconds(5),
            SamplerQueue: 1,
            maxStaleness,
            verifiers,
            RolloutBuffer: 0,
            GroupBuffer: 0,
            maxSteps,
            checkpointEvery,
            CheckpointOnStop: true,
            SampleTimeout: TimeSpan.FromSeconds(30),
            VerifyTimeout: TimeSpan.FromSeconds(5),
            Seed: 1234,
            new SupervisionSettings(3, TimeSpan.FromMinutes(1), 3, TimeSpan.FromMinutes(1)));

    public static PromptStream Arithmetic(int count = 1000, bool shuffle = true, long maxEpochs = 0, ulong seed = 7) =>
        new(new ArithmeticGenerator(
                new ArithmeticOptions(count, 1, 3, ArithmeticOperation.All, ReversedAnswer: false),
                seed, new HeldOutPartition(0.05), DataSplit.Training),
            shuffle, seed, maxEpochs);

    public static PipelinePorts Ports(
        SimulatedDeviceCosts? device = null, TimeSpan? verify = null, ILearnerPort? learner = null,
        ISamplerPortFactory? samplers = null, IRewardFunction? rewards = null) =>
        new(
            samplers ?? new SimulatedSamplerFactory(device ?? SimulatedDeviceCosts.Free),
            rewards ?? new SimulatedVerifier(verify ?? TimeSpan.Zero),
            learner ?? new SimulatedLearner(TimeSpan.Zero));

    public static async Task<(PipelineOutcome Outcome, IReadOnlyList<StepReport> Steps)> RunAsync(
        ActorSystem system, PipelineSettings settings, PipelinePorts ports, PromptStream? prompts = null,
        PipelineProgress? resume = null, ILogger? log = null, CancellationToken cancellationToken = default)
    {
        var steps = new ConcurrentQueue<StepReport>();
        var outcome = await TrainingPipeline.RunAsync(new PipelineRun
        {
            System = system,
            Settings = settings,
            Prompts = prompts ?? Arithmetic(),
            Ports = ports,
            Resume = resume,
            Log = log ?? new LoggerConfiguration().CreateLogger(),
            OnStep = steps.Enqueue,
        }, cancellationToken).WaitAsync(TimeSpan.FromSeconds(60));
        return (outcome, steps.ToArray());
    }

    /// <summary>Progress records are equal field by field, the consumed-ahead cursors as a sequence.</summary>
    public static void SameProgress(PipelineProgress expected, PipelineProgress actual)
    {
        Assert.Equal(expected with { ConsumedAhead = [] }, actual with { ConsumedAhead = [] });
        Assert.Equal(expected.ConsumedAhead, actual.ConsumedAhead);
    }

    /// <summary>Every prompt ordinal the learner trained on, in step order.</summary>
    public static long[] TrainedOrdinals(IEnumerable<StepReport> steps) =>
        steps.SelectMany(s => s.Groups).Select(g => g.Prompt.Ordinal).ToArray();
}

/// <summary>An xunit test class with a fresh actor system that has the pipeline's dispatchers.</summary>
public abstract class PipelineTestKit() : Akka.TestKit.Xunit2.TestKit(PipelineDispatchers.Config);
