using Akka.Actor;
using Akka.Streams;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Cluster;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;
using R1Actors.Rewards;
using Serilog;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// The ports the daemon implements with the real policy, learner and reward functions, and the filter that
/// chooses which groups fill a batch (every group unless dynamic sampling is on).
/// </summary>
public sealed record PipelinePorts(ISamplerPortFactory Samplers, IRewardFunction Rewards, ILearnerPort Learner)
{
    public IGroupFilter Groups { get; init; } = KeepEveryGroup.Instance;
}

/// <summary>Everything one run of the pipeline needs.</summary>
public sealed record PipelineRun
{
    /// <summary>Its config must define the dispatcher <see cref="PipelineDispatchers.Pinned"/> (<see cref="PipelineDispatchers.CreateSystem"/> does).</summary>
    public required ActorSystem System { get; init; }

    public required PipelineSettings Settings { get; init; }

    public required PromptStream Prompts { get; init; }

    public required PipelinePorts Ports { get; init; }

    /// <summary>Where to continue from (the checkpoint's trainer state); null starts at the first prompt.</summary>
    public PipelineProgress? Resume { get; init; }

    /// <summary>Where <see cref="Resume"/> was read from (the checkpoint's trainer_state.json), named when it does not fit the data.</summary>
    public string ResumeSource { get; init; } = "the checkpoint";

    public ILogger Log { get; init; } = Serilog.Log.Logger;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Called on the learner's thread after every step; the daemon logs the learner's metrics here.</summary>
    public Action<StepReport>? OnStep { get; init; }

    /// <summary>A cluster run's learner node (<see cref="PipelineSettings.Cluster"/> set; the system is a cluster node); null in one process.</summary>
    public ClusterLearner? Cluster { get; init; }
}

/// <summary>What the learner node serves sampler nodes: the model and weights, and the settings they must share with it.</summary>
/// <param name="ExportFolder">Where weights versions are written for sampler nodes to fetch.</param>
public sealed record ClusterLearner(IClusterWeightsSource Weights, IReadOnlyDictionary<string, string> Compatibility, string ExportFolder, int ChunkBytes);

/// <summary>Builds the actors and the stream of one training run, runs it to its end and cleans up.</summary>
public static class TrainingPipeline
{
    /// <summary>
    /// Runs until max-steps, the end of the prompts, <paramref name="cancellationToken"/> (a clean stop that
    /// still asks for a last checkpoint) or a failure that supervision cannot repair (thrown as
    /// <see cref="PipelineFailedException"/>).
    /// </summary>
    public static async Task<PipelineOutcome> RunAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        var s = run.Settings;
        if (!run.System.Dispatchers.HasDispatcher(PipelineDispatchers.Pinned))
            throw new InvalidOperationException($"the actor system has no '{PipelineDispatchers.Pinned}'; create it with PipelineDispatchers.CreateSystem or merge PipelineDispatchers.Config");
        if (s.Deterministic && (s.Devices.Count != 1 || s.MaxStaleness != 0))
            throw new SettingsException("r1.run.deterministic", $"deterministic runs need exactly one device and max-staleness 0, got {s.Devices.Count} devices and max-staleness {s.MaxStaleness}");
        var start = StartingPoint(run);
        if (s.MaxSteps > 0 && start.Step >= s.MaxSteps)
        {
            run.Log.Information("Nothing to do: the run is at step {Step} and max-steps is {MaxSteps}", start.Step, s.MaxSteps);
            return new PipelineOutcome(StopReason.MaxSteps, start, 0, 0);
        }
        using var completion = new PipelineCompletion();
        using var budget = new InFlightBudget(s.InFlightPrompts);
        var counters = new StageCounters();
        var board = new PolicyVersionBoard(start.PolicyVersion);
        var clocks = s.Devices.ToDictionary(d => d, _ => new BusyClock(run.Time), StringComparer.Ordinal);
        var ledger = run.Cluster is null ? null : new SamplerNodeLedger();
        var metrics = new MetricsCollector(run.Time, clocks, counters, new LatencyWindow(), () => budget.InUse, s.GroupSize) { Nodes = ledger };
        var supervisors = StartSupervisors(run.System, s, completion);
        var materializer = run.System.Materializer(namePrefix: "r1-pipeline");
        Task streamDone = Task.CompletedTask;
        try
        {
            var samplerEnv = new SamplerEnvironment(run.Ports.Samplers, board, counters, s.GroupSize, s.Seed, run.Log) { Switch = s.WeightSwitch };
            var samplers = await StartAll(supervisors.Samplers, s.Devices.Select(d => (SamplerProps(s, d, samplerEnv, clocks[d]), SamplerName(d)))).ConfigureAwait(false);
            var verifierEnv = new VerifierEnvironment(run.Ports.Rewards, s.VerifyTimeout, counters, metrics.VerifierLatency, run.Time, run.Log);
            var verifiers = await StartAll(supervisors.Verifiers, Enumerable.Range(0, s.Verifiers).Select(i =>
                (VerifierActor.Props(verifierEnv, PipelineDispatchers.Pinned), $"verifier-{i}"))).ConfigureAwait(false);
            var pool = run.Cluster is { } cluster ? StartClusterLearner(run, cluster, samplers, board, counters, ledger!, supervisors) : null;
            var loop = new LearnerLoop(s, run.Ports, run.Prompts, start, budget, board, metrics, run.Log, run.OnStep);
            var learner = (await StartAll(supervisors.Learner, [(LearnerActor.Props(loop, pool is null ? samplers : [pool], completion, run.Log, PipelineDispatchers.Pinned), "learner")])
                .ConfigureAwait(false))[0];
            run.Log.Information(
                "Pipeline starting at step {Step} (v{PolicyVersion}), next prompt {@NextPrompt} of {PromptSource}: {DeviceCount} samplers, {Verifiers} verifiers, G={GroupSize}, B={GroupsPerStep}, max staleness {MaxStaleness}, deterministic {Deterministic}",
                start.Step, start.PolicyVersion, start.NextPrompt, run.Prompts.Dataset.Description, s.Devices.Count, s.Verifiers, s.GroupSize, s.GroupsPerStep, s.MaxStaleness, s.Deterministic);
            var parts = new GraphParts(samplers, s.Devices, verifiers, learner, budget, counters, completion,
                GroupsFiltered: run.Ports.Groups.MayLeaveOut, SamplerPool: pool);
            streamDone = PipelineGraph.Build(s, run.Prompts.From(start.NextPrompt, start.ConsumedAhead), parts).Run(materializer);
            await using (cancellationToken.Register(completion.RequestStop).ConfigureAwait(false))
                return await completion.Outcome.ConfigureAwait(false);
        }
        finally
        {
            completion.Fail(new OperationCanceledException("the pipeline is shutting down"));
            await Task.WhenAny(streamDone, Task.Delay(TimeSpan.FromSeconds(10), run.Time)).ConfigureAwait(false);
            await supervisors.StopAsync(s.SampleTimeout).ConfigureAwait(false);
            foreach (var clusterActor in supervisors.Cluster)
                await clusterActor.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            materializer.Dispose();
        }
    }

    /// <summary>
    /// The learner node's sampler pool (this process's samplers and every sampler node's) and weights server, at the
    /// paths sampler nodes look for (<see cref="ClusterSettings.PoolPath"/>, <see cref="ClusterSettings.WeightsPath"/>).
    /// </summary>
    private static IActorRef StartClusterLearner(PipelineRun run, ClusterLearner cluster, IReadOnlyList<IActorRef> samplers, PolicyVersionBoard board,
        StageCounters counters, SamplerNodeLedger ledger, Supervisors supervisors)
    {
        var s = run.Settings;
        var local = s.Devices.Select((device, i) => new OfferedSampler(device, samplers[i], s.SamplerCapacity)).ToList();
        var modelFiles = WeightsServer.DescribeModelFolder(cluster.Weights.ModelFolder);
        var env = new SamplerPoolEnvironment(local, s.GroupSize, s.Seed, board, counters, s.SampleTimeout, modelFiles, cluster.Compatibility, run.Log)
        {
            MaxVersionLag = s.Cluster?.MaxVersionLag ?? 0,
            Ledger = ledger,
        };
        var weights = run.System.ActorOf(WeightsServer.Props(cluster.Weights, board, modelFiles, cluster.ExportFolder, cluster.ChunkBytes, run.Log, PipelineDispatchers.Pinned),
            ClusterSettings.WeightsPath["/user/".Length..]);
        var pool = run.System.ActorOf(SamplerPool.Props(env, weights), ClusterSettings.PoolPath["/user/".Length..]);
        supervisors.Cluster.Add(pool);
        supervisors.Cluster.Add(weights);
        run.Log.Information("Learner node ready for sampler nodes at {ClusterAddress} ({LocalDevices} local samplers)",
            Akka.Cluster.Cluster.Get(run.System).SelfAddress.ToString(), local.Count);
        return pool;
    }

    /// <summary>The resume point, checked against the data and the learner, or the very start.</summary>
    private static PipelineProgress StartingPoint(PipelineRun run)
    {
        var learnerVersion = run.Ports.Learner.PolicyVersion;
        if (run.Resume is not { } resume)
            return new PipelineProgress(0, learnerVersion, new PromptCursor(0, 0), [], run.Prompts.Count, run.Prompts.DataSeed, run.Settings.Seed);
        if (resume.DatasetCount != run.Prompts.Count)
            throw new SettingsException("r1.data", $"{run.ResumeSource} was written for {resume.DatasetCount} prompts but the data now holds {run.Prompts.Count}; its cursor would point at other prompts. Restore the data or start a new run");
        if (resume.DataSeed != run.Prompts.DataSeed)
            throw new SettingsException("r1.data.seed", $"{run.ResumeSource} was written with seed {resume.DataSeed}, the config says {run.Prompts.DataSeed}; the epoch order would change. Use {resume.DataSeed} to resume");
        if (resume.RunSeed != run.Settings.Seed)
            throw new SettingsException("r1.run.seed", $"{run.ResumeSource} was written with seed {resume.RunSeed}, the config says {run.Settings.Seed}. Use {resume.RunSeed} to resume");
        if (resume.PolicyVersion != learnerVersion)
            throw new InvalidOperationException($"the trainer state is at v{resume.PolicyVersion} but the learner loaded v{learnerVersion}; they come from different checkpoints");
        return resume;
    }

    private static async Task<IActorRef[]> StartAll(IActorRef supervisor, IEnumerable<(Props Props, string Name)> children)
    {
        var started = new List<IActorRef>();
        foreach (var (props, name) in children)
            started.Add(await supervisor.Ask<IActorRef>(new StartChild(props, name), TimeSpan.FromMinutes(5)).ConfigureAwait(false));
        return [.. started];
    }

    /// <summary>One device's sampler actor, as the settings batch: continuously or in static batches (a learner node's and a sampler node's alike).</summary>
    internal static Props SamplerProps(PipelineSettings s, string device, SamplerEnvironment env, BusyClock clock) =>
        s.BatchesContinuously
            ? ContinuousSamplerActor.Props(device, env, clock, PipelineDispatchers.Pinned)
            : SamplerActor.Props(device, env, clock, PipelineDispatchers.Pinned);

    /// <summary>The sampler actor's name for a device (<c>cuda:0</c> → <c>sampler-cuda-0</c>).</summary>
    internal static string SamplerName(string device) => $"sampler-{new string(device.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray())}";

    private static Supervisors StartSupervisors(ActorSystem system, PipelineSettings s, PipelineCompletion completion)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return new Supervisors(
            system.ActorOf(RoleSupervisor.Props("sampler", record => PipelineSupervision.Samplers(s.Supervision, record), completion), $"r1-samplers-{id}"),
            system.ActorOf(RoleSupervisor.Props("verifier", PipelineSupervision.Verifiers, completion), $"r1-verifiers-{id}"),
            system.ActorOf(RoleSupervisor.Props("learner", record => PipelineSupervision.Learner(s.Supervision, record), completion), $"r1-learner-{id}"));
    }

    private sealed record Supervisors(IActorRef Samplers, IActorRef Verifiers, IActorRef Learner)
    {
        /// <summary>A cluster run's pool and weights server, stopped after the pipeline's actors.</summary>
        public List<IActorRef> Cluster { get; } = [];

        /// <summary>Stops every actor; a sampler in the middle of a batch finishes it first (it cannot be interrupted).</summary>
        public async Task StopAsync(TimeSpan timeout)
        {
            foreach (var supervisor in new[] { Learner, Verifiers, Samplers })
            {
                try
                {
                    await supervisor.GracefulStop(timeout).ConfigureAwait(false);
                }
                catch (TaskCanceledException)
                {
                    // Past the timeout the actor system stops it when it shuts down.
                }
            }
        }
    }
}
