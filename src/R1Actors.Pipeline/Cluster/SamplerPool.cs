using Akka.Actor;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;
using Serilog;
using AkkaCluster = Akka.Cluster.Cluster;
using ClusterEvent = Akka.Cluster.ClusterEvent;

namespace R1Actors.Pipeline.Cluster;

/// <summary>What the learner node's pool knows of the run.</summary>
/// <param name="Local">This process's own samplers (none when the learner node only learns).</param>
/// <param name="ModelFiles">The model folder's files as sampler nodes fetch them (hashed once, in the background).</param>
/// <param name="Compatibility">The learner's settings that a sampler node must share, by key.</param>
public sealed record SamplerPoolEnvironment(
    IReadOnlyList<OfferedSampler> Local,
    int GroupSize,
    ulong RunSeed,
    PolicyVersionBoard Board,
    StageCounters Counters,
    TimeSpan SampleTimeout,
    Task<IReadOnlyList<TransferFile>> ModelFiles,
    IReadOnlyDictionary<string, string> Compatibility,
    ILogger Log)
{
    /// <summary><c>r1.cluster.max-version-lag</c>: how many versions behind the learner a node may be and still be given work.</summary>
    public int MaxVersionLag { get; init; }

    /// <summary>Each node's figures for the Step event.</summary>
    public SamplerNodeLedger Ledger { get; init; } = new();
}

/// <summary>
/// Every sampler of a cluster run behind one address: the stream asks the pool for a batch's rollouts and the pool
/// hands the batch to a sampler with room — this process's own, or a sampler node's — never giving one more requests
/// than its capacity, so a node holds only what it can sample and the learner's demand is still what pulls prompts
/// from the source. Requests wait here, in order, while no sampler has room or none is connected.
/// <para>
/// A node gets work only while its samplers hold a version at most <see cref="SamplerPoolEnvironment.MaxVersionLag"/>
/// behind the learner's newest: prompts admitted the moment a version is published would otherwise start on a node
/// still fetching it, a version stale at birth, and miss the staleness window the in-flight budget keeps for them.
/// </para>
/// <para>
/// Each request in a sampler's hands is known here. A sampler that goes away (its node downed by the split-brain
/// resolver, cut off, or stopped) has its requests issued again to the others, first in line, and an answer is taken
/// only from the sampler that holds the request at that moment: no prompt is lost and none is sampled twice into
/// training. Nodes may join at any time; their samplers take requests at once.
/// </para>
/// </summary>
public sealed class SamplerPool : ReceiveActor, IWithTimers
{
    /// <summary>How often the pool says so while requests wait and no sampler is connected.</summary>
    internal static readonly TimeSpan StarvedNoticeEvery = TimeSpan.FromSeconds(30);

    private readonly SamplerPoolEnvironment _env;
    private readonly List<Worker> _workers = [];
    private readonly LinkedList<Pending> _waiting = new();
    private readonly Dictionary<IActorRef, string> _nodes = new();   // node agent → node name
    private readonly Dictionary<Address, long> _nodeVersions = new();   // node → the version its samplers hold (by address: a restarted node may reuse its name)
    private readonly IActorRef? _weightsServer;
    private readonly Dictionary<string, long> _sampledBy = new(StringComparer.Ordinal);   // node name ("" = this node) → rollouts
    private long _nextId;

    public SamplerPool(SamplerPoolEnvironment env, IActorRef? weightsServer = null)
    {
        _env = env;
        _weightsServer = weightsServer;
        foreach (var local in env.Local)
            _workers.Add(new Worker(local, NodeName: "", Remote: false));
        Receive<GenerateRollouts>(request =>
        {
            _waiting.AddLast(new Pending(_nextId++, request, Sender));
            Dispatch();
        });
        Receive<StarvedCheck>(_ =>
        {
            if (_waiting.Count > 0 && _workers.Count == 0)
                _env.Log.Warning("{WaitingRequests} sampling requests wait and no sampler is connected: start sampler nodes (r1actors sampler, seed {ClusterAddress}) or give the learner node devices",
                    _waiting.Count, ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString());
        });
        Receive<Answered>(OnAnswered);
        Receive<Unanswered>(OnUnanswered);
        Receive<WeightsPublished>(published =>
        {
            foreach (var worker in _workers.Where(w => !w.Remote))
                worker.Sampler.Worker.Tell(published);
            _weightsServer?.Tell(published);
            foreach (var agent in _nodes.Keys)
                agent.Tell(published);
        });
        Receive<SamplerNodeHello>(Welcome);
        Receive<SamplerOffer>(Join);
        Receive<SamplerNodeVersion>(version =>
        {
            _nodeVersions[Sender.Path.Address] = version.Version;
            _env.Ledger.Version(version.NodeName, version.Version);
            Dispatch();
        });
        Receive<Terminated>(OnTerminated);
        Receive<ClusterEvent.UnreachableMember>(e => _env.Log.ForContext(Core.EventKinds.Property, Core.EventKinds.NodeUnreachable)
            .Warning("Node {NodeAddress} ({NodeRoles}) is unreachable; it is downed if it stays so", e.Member.Address.ToString(), string.Join(",", e.Member.Roles)));
        Receive<ClusterEvent.ReachableMember>(e => _env.Log.Information("Node {NodeAddress} is reachable again", e.Member.Address.ToString()));
    }

    public static Props Props(SamplerPoolEnvironment env, IActorRef? weightsServer = null) =>
        Akka.Actor.Props.Create(() => new SamplerPool(env, weightsServer));

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The pool also runs in a plain actor system (tests); only a cluster node has membership events.</summary>
    private bool InCluster => Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal);

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("starved", StarvedCheck.Instance, StarvedNoticeEvery);
        foreach (var worker in _workers)
            Context.Watch(worker.Sampler.Worker);
        if (InCluster)
            AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent));
    }

    protected override void PostStop()
    {
        foreach (var agent in _nodes.Keys)
            agent.Tell(new LearnerStopping("the learner's pipeline stopped"));
        foreach (var (node, rollouts) in _sampledBy.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            _env.Log.Information("Sampler node {NodeName} sampled {RolloutsSampled} rollouts of this run", node.Length > 0 ? node : "(the learner node)", rollouts);
        if (InCluster)
            AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    private void Welcome(SamplerNodeHello hello)
    {
        var node = Sender;
        var mismatches = _env.Compatibility
            .Where(kv => !hello.Compatibility.TryGetValue(kv.Key, out var theirs) || theirs != kv.Value)
            .Select(kv => $"{kv.Key} = {kv.Value} here, {(hello.Compatibility.TryGetValue(kv.Key, out var theirs) ? theirs : "(missing)")} there")
            .ToList();
        if (mismatches.Count > 0)
        {
            var reason = $"its configuration differs from the learner's: {string.Join("; ", mismatches)}. Start every node with the learner's configuration file";
            _env.Log.Error("Sampler node {NodeName} refused: {Reason}", hello.NodeName, reason);
            node.Tell(new SamplerNodeRefused(reason));
            return;
        }
        _env.ModelFiles.PipeTo(node, sender: Self, success: files => new SamplerNodeWelcome(_env.GroupSize, _env.RunSeed, _env.Board.Latest, files),
            failure: e => new SamplerNodeRefused($"the learner node could not describe its model folder: {e.Message}"));
    }

    private void Join(SamplerOffer offer)
    {
        _nodes[Sender] = offer.NodeName;
        _env.Ledger.Joined(offer.NodeName);
        Context.Watch(Sender);
        foreach (var sampler in offer.Samplers)
        {
            _workers.Add(new Worker(sampler, offer.NodeName, Remote: true));
            Context.Watch(sampler.Worker);
        }
        _env.Log.ForContext(Core.EventKinds.Property, Core.EventKinds.NodeJoined)
            .Information("Sampler node {NodeName} joined with {DeviceCount} devices ({Devices}), room for {NodeCapacity} requests; {NodeCount} nodes, {WaitingRequests} requests waiting",
                offer.NodeName, offer.Samplers.Count, string.Join(", ", offer.Samplers.Select(s => s.Device)), offer.Samplers.Sum(s => s.Capacity), _nodes.Count, _waiting.Count);
        Dispatch();
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_nodes.Remove(terminated.ActorRef, out var nodeName))
        {
            _nodeVersions.Remove(terminated.ActorRef.Path.Address);
            _env.Ledger.Left(nodeName);
            _env.Log.ForContext(Core.EventKinds.Property, Core.EventKinds.NodeDowned)
                .Warning("Sampler node {NodeName} is gone ({NodeAddress}, address terminated: {AddressTerminated}); {NodeCount} nodes left",
                    nodeName, terminated.ActorRef.Path.Address.ToString(), terminated.AddressTerminated, _nodes.Count);
        }
        var worker = _workers.Find(w => w.Sampler.Worker.Equals(terminated.ActorRef));
        if (worker is null)
            return;
        _workers.Remove(worker);
        var reissued = worker.InHand.Values.OrderByDescending(p => p.Id).ToList();
        foreach (var pending in reissued)
        {
            _waiting.AddFirst(pending);
            if (worker.Remote)
                _env.Counters.SamplingAbandoned(pending.Request.Prompts.Count);
        }
        if (reissued.Count > 0 || worker.Remote)
        {
            _env.Log.ForContext(Core.EventKinds.Property, Core.EventKinds.PromptsReissued)
                .Warning("Sampler {Device} of {NodeName} is gone with {RequestCount} requests ({PromptCount} prompts) in hand; they are issued again to the {SamplerCount} samplers left",
                    worker.Sampler.Device, worker.Remote ? worker.NodeName : "this node", reissued.Count, reissued.Sum(p => p.Request.Prompts.Count), _workers.Count);
        }
        Dispatch();
    }

    private void OnAnswered(Answered answered)
    {
        var worker = _workers.Find(w => w.Sampler.Worker.Equals(answered.Worker));
        if (worker is null || !worker.InHand.Remove(answered.Id, out var pending))
        {
            _env.Log.Warning("Rollouts from {WorkerPath} for a request it no longer holds were dropped (it was issued again when the sampler went away)", answered.Worker.Path.ToString());
            return;
        }
        if (worker.Remote)
        {
            _env.Counters.Sampled(pending.Request.Prompts.Count, answered.Generated.Rollouts.Count);
            _env.Ledger.Sampled(worker.NodeName, answered.Generated.Rollouts.Count);
        }
        _sampledBy[worker.NodeName] = _sampledBy.GetValueOrDefault(worker.NodeName) + answered.Generated.Rollouts.Count;
        pending.ReplyTo.Tell(answered.Generated);
        Dispatch();
    }

    private void OnUnanswered(Unanswered failed)
    {
        var worker = _workers.Find(w => w.Sampler.Worker.Equals(failed.Worker));
        if (worker is null || !worker.InHand.Remove(failed.Id, out var pending))
            return;   // the sampler went away and the request was issued again
        if (worker.Remote)
        {
            _env.Counters.SamplingAbandoned(pending.Request.Prompts.Count);
            _env.Log.ForContext(Core.EventKinds.Property, Core.EventKinds.PromptsReissued)
                .Warning("Sampler {Device} of {NodeName} did not answer a request of {PromptCount} prompts within {SampleTimeout}: {Reason}; the request is issued again",
                    worker.Sampler.Device, worker.NodeName, pending.Request.Prompts.Count, _env.SampleTimeout, failed.Cause.Message);
            _waiting.AddFirst(pending);
        }
        else
        {
            pending.ReplyTo.Tell(new Status.Failure(new PipelineFailedException(
                $"sampler '{worker.Sampler.Device}' returned no rollouts for a batch of {pending.Request.Prompts.Count} prompts within {_env.SampleTimeout} (r1.pipeline.sample-timeout)", failed.Cause)));
        }
        Dispatch();
    }

    /// <summary>
    /// Hands waiting requests, oldest first, to the samplers with the most room. Every change to what samplers hold
    /// ends here, so this is also where each node's requests in hand are counted for the Step event.
    /// </summary>
    private void Dispatch()
    {
        DispatchWaiting();
        foreach (var node in _workers.Where(w => w.Remote).GroupBy(w => w.NodeName, StringComparer.Ordinal))
            _env.Ledger.InHand(node.Key, node.Sum(w => w.InHand.Count));
    }

    private void DispatchWaiting()
    {
        while (_waiting.First is { } next)
        {
            Worker? roomiest = null;
            var oldestUsable = _env.Board.Latest - _env.MaxVersionLag;
            foreach (var worker in _workers)
            {
                var current = !worker.Remote || _nodeVersions.GetValueOrDefault(worker.Sampler.Worker.Path.Address, long.MinValue) >= oldestUsable;
                if (current && worker.Room > 0 && (roomiest is null || worker.Room > roomiest.Room))
                    roomiest = worker;
            }
            if (roomiest is null)
                return;
            _waiting.RemoveFirst();
            var pending = next.Value;
            roomiest.InHand[pending.Id] = pending;
            if (roomiest.Remote)
                _env.Counters.SamplingStarted(pending.Request.Prompts.Count);
            var target = roomiest.Sampler.Worker;
            target.Ask<RolloutsGenerated>(pending.Request, _env.SampleTimeout)
                .PipeTo(Self, success: generated => new Answered(target, pending.Id, generated), failure: e => new Unanswered(target, pending.Id, e));
        }
    }

    private sealed class StarvedCheck
    {
        public static readonly StarvedCheck Instance = new();
    }

    private sealed record Pending(long Id, GenerateRollouts Request, IActorRef ReplyTo);

    private sealed record Answered(IActorRef Worker, long Id, RolloutsGenerated Generated);

    private sealed record Unanswered(IActorRef Worker, long Id, Exception Cause);

    private sealed record Worker(OfferedSampler Sampler, string NodeName, bool Remote)
    {
        public Dictionary<long, Pending> InHand { get; } = [];

        public int Room => Sampler.Capacity - InHand.Count;
    }
}
