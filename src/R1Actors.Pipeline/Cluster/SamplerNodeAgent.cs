using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;
using Serilog;
using AkkaCluster = Akka.Cluster.Cluster;
using ClusterEvent = Akka.Cluster.ClusterEvent;

namespace R1Actors.Pipeline.Cluster;

/// <summary>How one membership of a sampler node ended: the learner went away (join again) or refused the node (stop).</summary>
public sealed record SamplerNodeExit(bool Refused, string Reason)
{
    /// <summary>The learner said it was stopping: nothing was lost, the node joins again quietly.</summary>
    public bool LearnerStopped { get; init; }

    /// <summary>The stop token was cancelled: the node leaves for good.</summary>
    public bool StopRequested { get; init; }
}

/// <summary>What a sampler node's agent needs: its name, its devices and their batching, its ports and where it keeps files.</summary>
public sealed record SamplerNodeEnvironment(
    string NodeName,
    PipelineSettings Pipeline,
    ISamplerNodePorts Ports,
    string CacheFolder,
    ILogger Log);

/// <summary>
/// A sampler node's side of the cluster. Waits for the learner node to be up and introduces itself to its pool
/// (again every few seconds until the learner's pipeline has started); on the welcome it fetches the model folder
/// (files it already holds with the same hash are kept) and the newest weights, starts one sampler per configured
/// device — the same actors a single process runs — and offers them. Each published version is then fetched,
/// checked and applied as a local sampler would, while the samplers go on with the version they hold. When the
/// learner goes away (its pool terminated: the learner node stopped, died or was cut off) the agent ends this
/// membership; the host joins again.
/// </summary>
public sealed class SamplerNodeAgent : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan HelloEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(10);

    private readonly SamplerNodeEnvironment _env;
    private readonly TaskCompletionSource<SamplerNodeExit> _exit;
    private readonly ILogger _log;
    private readonly IMaterializer _materializer;
    private readonly ActorSystem _system;
    private Address? _learner;
    private IActorRef? _pool;
    private PolicyVersionBoard? _board;
    private List<IActorRef> _samplers = [];
    private long _wanted = -1;
    private bool _fetching;

    public SamplerNodeAgent(SamplerNodeEnvironment env, TaskCompletionSource<SamplerNodeExit> exit)
    {
        _env = env;
        _exit = exit;
        _log = env.Log.ForContext("NodeName", env.NodeName);
        _materializer = Context.Materializer(namePrefix: "r1-node");
        _system = Context.System;
        Directory.CreateDirectory(env.CacheFolder);
        Joining();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SamplerNodeEnvironment env, TaskCompletionSource<SamplerNodeExit> exit) =>
        Akka.Actor.Props.Create(() => new SamplerNodeAgent(env, exit));

    protected override void PreStart() =>
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));

    protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);

    /// <summary>A node's samplers are supervised as a single process's are (restart, sample the batch again); one that keeps failing stops, and the pool issues its requests elsewhere.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        PipelineSupervision.Samplers(_env.Pipeline.Supervision, e => _log.Warning(e, "A sampler of node {NodeName} failed: {Reason}", _env.NodeName, e.Message));

    private void Joining()
    {
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (!up.Member.HasRole(ClusterSettings.LearnerRole) || _learner is not null)
                return;
            _learner = up.Member.Address;
            _log.Information("Learner node {LearnerAddress} is up; introducing sampler node {NodeName}", _learner.ToString(), _env.NodeName);
            Hello();
            Timers.StartPeriodicTimer("hello", Retry.Instance, HelloEvery);
        });
        Receive<Retry>(_ => Hello());
        Receive<SamplerNodeRefused>(refused =>
        {
            _log.Error("The learner node refused sampler node {NodeName}: {Reason}", _env.NodeName, refused.Reason);
            End(new SamplerNodeExit(Refused: true, refused.Reason));
        });
        Receive<SamplerNodeWelcome>(welcome =>
        {
            Timers.Cancel("hello");
            _pool = Sender;
            Context.Watch(_pool);
            _board = new PolicyVersionBoard(-1);
            _log.Information("Welcomed by the learner node (G={GroupSize}, v{PolicyVersion}); fetching its model folder ({FileCount} files, {Bytes} bytes) and weights",
                welcome.GroupSize, welcome.PolicyVersion, welcome.ModelFiles.Count, welcome.ModelFiles.Sum(f => f.Length));
            StartAsync(welcome).PipeTo(Self, failure: e => new FetchFailed(e));
            Become(() => Starting(welcome));
        });
        LearnerWatch();
    }

    private void Starting(SamplerNodeWelcome welcome)
    {
        Receive<Started>(started =>
        {
            var pipeline = _env.Pipeline;
            var env = new SamplerEnvironment(started.Ports, _board!, new StageCounters(), welcome.GroupSize, welcome.RunSeed, _log) { Switch = pipeline.WeightSwitch };
            _samplers = [.. pipeline.Devices.Select(device =>
                Context.ActorOf(TrainingPipeline.SamplerProps(pipeline, device, env, new BusyClock(TimeProvider.System)), TrainingPipeline.SamplerName(device)))];
            foreach (var sampler in _samplers)
                Context.Watch(sampler);
            _pool!.Tell(new SamplerOffer(_env.NodeName, [.. pipeline.Devices.Select((device, i) => new OfferedSampler(device, _samplers[i], pipeline.SamplerCapacity))]));
            _pool.Tell(new SamplerNodeVersion(_env.NodeName, _board!.Latest));
            _log.Information("Sampler node {NodeName} offers {DeviceCount} devices ({Devices}) at v{PolicyVersion}",
                _env.NodeName, pipeline.Devices.Count, string.Join(", ", pipeline.Devices), _board!.Latest);
            Become(Serving);
            FetchIfBehind();
        });
        Receive<WeightsPublished>(published => _wanted = Math.Max(_wanted, published.Version));
        Receive<FetchFailed>(failed =>
        {
            _log.Error(failed.Cause, "Sampler node {NodeName} could not fetch the model or weights from the learner node: {Reason}", _env.NodeName, failed.Cause.Message);
            End(new SamplerNodeExit(Refused: false, $"fetching from the learner failed: {failed.Cause.Message}"));
        });
        LearnerWatch();
    }

    private void Serving()
    {
        Receive<WeightsPublished>(published =>
        {
            _wanted = Math.Max(_wanted, published.Version);
            FetchIfBehind();
        });
        Receive<WeightsArrived>(arrived =>
        {
            _fetching = false;
            _board!.Publish(arrived.Version);
            foreach (var sampler in _samplers)
                sampler.Tell(new WeightsPublished(arrived.Version));
            _pool!.Tell(new SamplerNodeVersion(_env.NodeName, arrived.Version));
            FetchIfBehind();
        });
        Receive<FetchFailed>(failed =>
        {
            _fetching = false;
            _log.Warning(failed.Cause, "Sampler node {NodeName} could not fetch weights v{PolicyVersion}: {Reason}; it samples with v{HeldVersion} and tries again",
                _env.NodeName, _wanted, failed.Cause.Message, _board!.Latest);
            Timers.StartSingleTimer("refetch", Retry.Instance, HelloEvery);
        });
        Receive<Retry>(_ => FetchIfBehind());
        LearnerWatch();
    }

    private void LearnerWatch()
    {
        Receive<LearnerStopping>(stopping =>
        {
            _log.Information("The learner node {LearnerAddress} is stopping ({Reason}); sampler node {NodeName} stops its samplers and joins again, for the next run or the resumed one",
                _learner?.ToString(), stopping.Reason, _env.NodeName);
            End(new SamplerNodeExit(Refused: false, stopping.Reason) { LearnerStopped = true });
        });
        Receive<Terminated>(t =>
        {
            if (_samplers.Remove(t.ActorRef))
            {
                _log.Error("Sampler {Sampler} of node {NodeName} stopped for good after repeated faults; the node goes on with {SamplerCount} samplers (the learner issued its requests elsewhere)",
                    t.ActorRef.Path.Name, _env.NodeName, _samplers.Count);
                return;
            }
            if (!t.ActorRef.Equals(_pool))
                return;
            _log.ForContext(Core.EventKinds.Property, Core.EventKinds.LearnerLost)
                .Warning("The learner node {LearnerAddress} is gone; sampler node {NodeName} stops its samplers and joins again", _learner?.ToString(), _env.NodeName);
            End(new SamplerNodeExit(Refused: false, "the learner node is gone"));
        });
    }

    private void Hello()
    {
        if (_learner is not null)
            _system.ActorSelection($"{_learner}{ClusterSettings.PoolPath}").Tell(new SamplerNodeHello(_env.NodeName, _env.Ports.Compatibility));
    }

    private void End(SamplerNodeExit exit)
    {
        _exit.TrySetResult(exit);
        Context.Stop(Self);
    }

    private void FetchIfBehind()
    {
        if (_fetching || _wanted <= _board!.Latest)
            return;
        _fetching = true;
        FetchWeightsAsync().PipeTo(Self, failure: e => new FetchFailed(e));
    }

    /// <summary>The model folder's files not already here, then the newest weights; the ports open the model.</summary>
    private async Task<Started> StartAsync(SamplerNodeWelcome welcome)
    {
        var folder = Path.Combine(_env.CacheFolder, "model");
        Directory.CreateDirectory(folder);
        foreach (var file in welcome.ModelFiles)
        {
            var path = Path.Combine(folder, file.Name);
            if (FileTransfer.AlreadyHas(path, file))
                continue;
            var offer = await Fetch(file.Name).ConfigureAwait(false);
            if (offer.File != file)
                throw new InvalidDataException($"the learner offered {offer.File} for {file}: its model folder changed while this node joined");
            var (bytes, elapsed) = await FileTransfer.ReceiveAsync(offer, path, _materializer).ConfigureAwait(false);
            _log.Information("Model file {FileName} fetched: {Bytes} bytes in {Seconds:F2} s", file.Name, bytes, elapsed.TotalSeconds);
        }
        var ports = _env.Ports.OpenModel(folder);
        await FetchWeightsAsync().ConfigureAwait(false);
        return new Started(ports);
    }

    /// <summary>Fetches the newest weights, imports them and publishes their version on this node's board.</summary>
    private async Task<WeightsArrived> FetchWeightsAsync()
    {
        var clock = Stopwatch.StartNew();
        var offer = await Fetch(FetchFile.Weights).ConfigureAwait(false);
        var path = Path.Combine(_env.CacheFolder, $"weights-v{offer.Version}.safetensors");
        var (bytes, transfer) = await FileTransfer.ReceiveAsync(offer, path, _materializer).ConfigureAwait(false);
        try
        {
            _env.Ports.ImportWeights(path, offer.Version, offer.IsAdapter);
        }
        finally
        {
            File.Delete(path);
        }
        _board!.Publish(offer.Version);   // the version is in this node's store: a batch that starts now may take it
        _log.ForContext(Core.EventKinds.Property, Core.EventKinds.WeightsFetched)
            .Information("Weights v{PolicyVersion} fetched by {NodeName}: {Bytes} bytes ({Kind}) in {TransferSeconds:F2} s, applied after {Seconds:F2} s, SHA-256 checked",
                offer.Version, _env.NodeName, bytes, offer.IsAdapter ? "adapter" : "full model", transfer.TotalSeconds, clock.Elapsed.TotalSeconds);
        return new WeightsArrived(offer.Version);
    }

    private async Task<FileOffer> Fetch(string name)
    {
        var server = _system.ActorSelection($"{_learner}{ClusterSettings.WeightsPath}");
        return await server.Ask<object>(new FetchFile(name), FetchTimeout).ConfigureAwait(false) switch
        {
            FileOffer offer => offer,
            FileRefused refused => throw new InvalidOperationException($"the learner node refused {refused.Name}: {refused.Reason}"),
            var other => throw new InvalidOperationException($"the learner node answered {other.GetType().Name} to a fetch of {name}"),
        };
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record Started(ISamplerPortFactory Ports);

    private sealed record WeightsArrived(long Version);

    private sealed record FetchFailed(Exception Cause);
}
