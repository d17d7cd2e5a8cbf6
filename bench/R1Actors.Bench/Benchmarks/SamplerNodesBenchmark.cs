using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using R1Actors.Logging;
using R1Actors.Pipeline.Cluster;
using R1Actors.Pipeline.Graph;
using R1Actors.Simulation;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace R1Actors.Bench.Benchmarks;

/// <summary>What one run of the pipeline over <see cref="Nodes"/> sampler node processes did.</summary>
/// <param name="Joined">Sampler nodes that joined (NodeJoined events) before the measured steps.</param>
/// <param name="MeasuredSteps">Steps timed: those after the nodes joined, less the warm-up.</param>
/// <param name="StepsCompleted">Every step the learner took, the ones before the last node joined included.</param>
/// <param name="RolloutsTrained">Rollouts in those steps' batches, which should be steps × B × G.</param>
/// <param name="SampledByNode">Node name → rollouts it sampled that the pool took (the pool's own count).</param>
public sealed record SamplerNodesRun(
    int Nodes,
    int Joined,
    double RolloutsPerSecond,
    double GroupsPerSecond,
    double MeasuredSeconds,
    int MeasuredSteps,
    long StepsCompleted,
    long RolloutsTrained,
    long RolloutsExpected,
    long DroppedRollouts,
    IReadOnlyDictionary<string, long> SampledByNode,
    double JoinSeconds)
{
    /// <summary>The work was all done: every node joined and sampled, every step trained a full batch.</summary>
    public bool Complete => Joined == Nodes && RolloutsTrained == RolloutsExpected && SampledByNode.Count == Nodes && SampledByNode.Values.All(n => n > 0);

    /// <summary>The least busy node's share of the rollouts sampled (ideal 1 / nodes).</summary>
    public double LeastNodeShare => SampledByNode.Count == 0 ? 0 : SampledByNode.Values.Min() / (double)SampledByNode.Values.Sum();
}

/// <summary>
/// The pipeline with its sampling spread over processes: the learner node in this process (no device of its own,
/// the simulated verifiers and learner, the real pool and weights server), and N child processes of
/// <c>r1actors-bench sampler-node</c> on 127.0.0.1, each a sampler node with simulated devices, that join it over
/// Akka.Cluster, fetch the model folder and every weights version, and sample the requests the pool hands them.
/// Timed from the first step after the last node joined, plus the scenario's warm-up, over its steps.
/// </summary>
public static class SamplerNodesBenchmark
{
    private static readonly TimeSpan JoinLimit = TimeSpan.FromSeconds(90);

    public static async Task<SamplerNodesRun> RunAsync(BenchScenario scenario, int nodes, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var cluster = Cluster(FreeLoopbackPort(), seedNodes: [], nodeName: "", cache: "");
        var events = new ClusterEvents(nodes);
        var log = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(events).WriteTo.Logger(Log.Logger).CreateLogger();
        var akka = ClusterConfig.For(cluster, ClusterSettings.LearnerRole).WithFallback(ConfigurationFactory.ParseString(
            AkkaSerilogLogger.AkkaConfig + "\nakka.loglevel = WARNING\nakka.remote.log-remote-lifecycle-events = off\nakka.log-dead-letters-during-shutdown = off\nakka.stdout-loglevel = OFF\n"));
        var system = PipelineDispatchers.CreateSystem(ClusterSettings.SystemName, akka);
        var learner = new SimulatedLearner(scenario.StepCost);
        var stamps = new List<(long Timestamp, StepReport Report)>();
        int? joinedAt = null;   // index in stamps of the first step that ended with every node joined
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = new PipelineRun
        {
            System = system,
            Settings = PipelineBenchmark.Settings(scenario) with { Devices = [], MaxSteps = 0, Cluster = cluster },
            Prompts = PipelineBenchmark.Prompts(),
            // No device here (Devices = []): the factory is never asked for a sampler; every rollout comes from the nodes.
            Ports = new PipelinePorts(new SimulatedSamplerFactory(SimulatedDeviceCosts.Free), new SimulatedVerifier(scenario.VerifyCost), learner),
            Log = log,
            OnStep = report =>
            {
                lock (stamps)
                {
                    stamps.Add((Stopwatch.GetTimestamp(), report));
                    joinedAt ??= events.Joined >= nodes ? stamps.Count - 1 : null;
                    if (stamps.Count - joinedAt >= scenario.Steps)
                        _ = stop.CancelAsync();
                }
            },
            Cluster = new ClusterLearner(new SimulatedWeightsSource(Path.Combine(folder, "model"), () => learner.PolicyVersion),
                SimulatedNodePorts.SharedSettings, Path.Combine(folder, "weights"), cluster.TransferChunkBytes),
        };
        var children = new SamplerNodeProcesses(folder);
        Task<PipelineOutcome>? pipeline = null;
        try
        {
            pipeline = TrainingPipeline.RunAsync(run, stop.Token);
            var started = Stopwatch.GetTimestamp();
            for (var i = 1; i <= nodes; i++)
                children.Start($"node-{i}", NodeArguments(scenario, cluster.Port, $"node-{i}", Path.Combine(folder, $"node-{i}-cache")));
            await Until(events.AllJoined, JoinLimit, $"{nodes} sampler nodes joined", children, pipeline, cancellationToken).ConfigureAwait(false);
            var joinSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var limit = TimeSpan.FromSeconds(60 + (10.0 * scenario.Steps * scenario.RolloutsPerStep / scenario.BoundWithNodes(nodes)));
            var outcome = await Until(pipeline, limit, $"{scenario.Steps} steps done after the nodes joined", children, pipeline, cancellationToken).ConfigureAwait(false);
            lock (stamps)
                return Result(scenario, nodes, [.. stamps], joinedAt, outcome, events, joinSeconds);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            if (pipeline is not null)
                await Task.WhenAny(pipeline, Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None)).ConfigureAwait(false);
            await children.DisposeAsync().ConfigureAwait(false);
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The cluster settings of the bench's nodes, learner and sampler alike: loopback, quick to notice a lost node.</summary>
    public static ClusterSettings Cluster(int port, IReadOnlyList<string> seedNodes, string nodeName, string cache) => new(
        "127.0.0.1", port, seedNodes, DownAfter: TimeSpan.FromSeconds(10), HeartbeatPause: TimeSpan.FromSeconds(3), nodeName,
        TransferChunkBytes: 64 * 1024, RejoinAfter: TimeSpan.FromSeconds(2), cache);

    /// <summary>A sampler node's command line: the learner to join, and the scenario's devices and their cost per prompt.</summary>
    private static string[] NodeArguments(BenchScenario s, int learnerPort, string name, string cache) =>
    [
        "--seed-node", $"127.0.0.1:{learnerPort.ToString(CultureInfo.InvariantCulture)}",
        "--name", name,
        "--devices", s.Devices.ToString(CultureInfo.InvariantCulture),
        "--prompt-ms", (s.BatchCost.TotalMilliseconds / s.PromptsPerBatch).ToString(CultureInfo.InvariantCulture),
        "--cache", cache,
    ];

    private static SamplerNodesRun Result(BenchScenario s, int nodes, (long Timestamp, StepReport Report)[] stamps, int? joinedAt, PipelineOutcome outcome,
        ClusterEvents events, double joinSeconds)
    {
        if (joinedAt is not { } joined || stamps.Length - joined < s.Steps)
            throw new InvalidOperationException($"the run ended ({outcome.Reason}) after {stamps.Length} steps, {stamps.Length - (joinedAt ?? stamps.Length)} of them with every node joined; {s.Steps} were asked for");
        var measured = stamps[(joined + s.WarmupSteps)..(joined + s.Steps)];
        var seconds = Stopwatch.GetElapsedTime(stamps[joined + s.WarmupSteps - 1].Timestamp, measured[^1].Timestamp).TotalSeconds;
        var rollouts = measured.Sum(m => m.Report.Pipeline.RolloutsTrained) / seconds;
        return new SamplerNodesRun(
            nodes,
            events.Joined,
            rollouts,
            rollouts / s.GroupSize,
            seconds,
            measured.Length,
            outcome.Progress.Step,
            stamps.Sum(m => m.Report.Pipeline.RolloutsTrained),
            outcome.Progress.Step * s.RolloutsPerStep,
            outcome.DroppedRolloutsTotal,
            new Dictionary<string, long>(events.SampledByNode, StringComparer.Ordinal),
            joinSeconds);
    }

    /// <summary>Waits for <paramref name="awaited"/>; fails if a node exits, the pipeline ends first, or <paramref name="limit"/> passes.</summary>
    private static async Task<T> Until<T>(Task<T> awaited, TimeSpan limit, string what, SamplerNodeProcesses children, Task pipeline, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(awaited, pipeline, children.ExitedEarly, Task.Delay(limit, cancellationToken)).ConfigureAwait(false);
        if (first == awaited)
            return await awaited.ConfigureAwait(false);
        if (first == pipeline)
        {
            await pipeline.ConfigureAwait(false);   // throws the pipeline's failure
            throw new InvalidOperationException($"the pipeline ended before {what}");
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (first == children.ExitedEarly)
            throw new InvalidOperationException(children.ExitedEarly.Result);
        throw new TimeoutException($"not {what} within {limit.TotalSeconds:F0} s; the end of each sampler node's log:{Environment.NewLine}{children.Logs()}");
    }

    /// <summary>A port free on 127.0.0.1 now (the learner's must be known before it starts: nodes join it by address).</summary>
    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>What the learner node logs of its sampler nodes: each NodeJoined, and each node's rollouts when the pool stops.</summary>
    private sealed class ClusterEvents(int expected) : ILogEventSink
    {
        private readonly TaskCompletionSource<bool> _allJoined = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _joined;

        public int Joined => Volatile.Read(ref _joined);

        /// <summary>Completes when <c>expected</c> nodes have joined.</summary>
        public Task<bool> AllJoined => _allJoined.Task;

        public ConcurrentDictionary<string, long> SampledByNode { get; } = new(StringComparer.Ordinal);

        public void Emit(LogEvent logEvent)
        {
            if (Scalar(logEvent, EventKinds.Property) is EventKinds.NodeJoined && Interlocked.Increment(ref _joined) >= expected)
                _allJoined.TrySetResult(true);
            if (Scalar(logEvent, "RolloutsSampled") is { } rollouts && Scalar(logEvent, "NodeName") is string node)
                SampledByNode[node] = Convert.ToInt64(rollouts, CultureInfo.InvariantCulture);
        }

        private static object? Scalar(LogEvent logEvent, string property) =>
            logEvent.Properties.TryGetValue(property, out var value) && value is ScalarValue scalar ? scalar.Value : null;
    }
}
