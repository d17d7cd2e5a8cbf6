namespace R1Actors.Pipeline.Cluster;

/// <summary>
/// <c>r1.cluster</c>: this process is a node of an Akka.Cluster. <c>r1actors train</c> is then the learner node
/// (the seed the others join), <c>r1actors sampler</c> a sampler node. Absent (<c>r1.cluster.enabled = false</c>):
/// one process, exactly as without a cluster.
/// </summary>
/// <param name="Hostname">The address other nodes reach this one at (what it binds and advertises).</param>
/// <param name="Port">The port it listens on; 0 picks a free one (fine for sampler nodes, never for the learner).</param>
/// <param name="SeedNodes">"host:port" of the learner node(s); empty on the learner means itself.</param>
/// <param name="DownAfter">How long a node may stay unreachable before the split-brain resolver downs it (its stable-after).</param>
/// <param name="HeartbeatPause">The failure detector's acceptable heartbeat pause: a node silent this long is unreachable.</param>
/// <param name="NodeName">The name a sampler node is logged under; empty = host:port.</param>
/// <param name="TransferChunkBytes">Model and weights files cross the network in chunks of this size.</param>
/// <param name="RejoinAfter">A sampler node that lost the learner waits this long before it joins again.</param>
/// <param name="CacheDirectory">Where a sampler node keeps the model folder and weights it fetched; empty = the node's run folder.</param>
public sealed record ClusterSettings(
    string Hostname,
    int Port,
    IReadOnlyList<string> SeedNodes,
    TimeSpan DownAfter,
    TimeSpan HeartbeatPause,
    string NodeName,
    int TransferChunkBytes,
    TimeSpan RejoinAfter,
    string CacheDirectory)
{
    /// <summary>
    /// <c>r1.cluster.max-version-lag</c>: a sampler node gets work only while its weights are at most this many versions
    /// behind the learner's newest (0: only a node that has applied the newest version starts new batches).
    /// </summary>
    public int MaxVersionLag { get; init; }

    /// <summary>The actor system's name on every node: seed addresses name it.</summary>
    public const string SystemName = "r1actors";

    public const string LearnerRole = "learner";

    public const string SamplerRole = "sampler";

    /// <summary>Where the learner node's sampler pool lives; sampler nodes introduce themselves there.</summary>
    public const string PoolPath = "/user/r1-sampler-pool";

    /// <summary>Where the learner node serves the model folder and weights versions.</summary>
    public const string WeightsPath = "/user/r1-weights";

    /// <summary>The seed nodes as Akka addresses (<c>akka.tcp://r1actors@host:port</c>).</summary>
    public IReadOnlyList<string> SeedAddresses(bool isLearner) =>
        SeedNodes.Count > 0
            ? [.. SeedNodes.Select(s => $"akka.tcp://{SystemName}@{s}")]
            : isLearner ? [$"akka.tcp://{SystemName}@{Hostname}:{Port}"] : [];
}
