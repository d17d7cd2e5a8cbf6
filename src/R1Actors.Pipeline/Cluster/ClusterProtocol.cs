using Akka.Actor;
using Akka.Streams;

namespace R1Actors.Pipeline.Cluster;

// The messages between the learner node and sampler nodes. Each one has a schema in the wire format
// (Wire/WireSerializer.cs); none is serialized with Akka's default serializer.

/// <summary>A sampler node introduces itself to the learner node's pool; answered with <see cref="SamplerNodeWelcome"/>.</summary>
public sealed record SamplerNodeHello(string NodeName, IReadOnlyDictionary<string, string> Compatibility);

/// <summary>
/// What a sampler node needs before it offers its devices: the run's group size and seed (every node draws the same
/// samples for the same prompt and version), the newest weights version, and the model folder's files to fetch.
/// </summary>
public sealed record SamplerNodeWelcome(int GroupSize, ulong RunSeed, long PolicyVersion, IReadOnlyList<TransferFile> ModelFiles);

/// <summary>The learner node will not take this node (its configuration does not match the learner's); the node stops.</summary>
public sealed record SamplerNodeRefused(string Reason);

/// <summary>
/// The learner's pipeline is stopping (its run ended, or it stops for a restart): the node is not lost, it ends this
/// membership without alarm and joins again, ready for the next run or the resumed one.
/// </summary>
public sealed record LearnerStopping(string Reason);

/// <summary>A node's samplers, ready: the pool sends each at most <see cref="OfferedSampler.Capacity"/> requests at a time.</summary>
public sealed record SamplerOffer(string NodeName, IReadOnlyList<OfferedSampler> Samplers);

/// <summary>
/// A node's samplers now hold weights <see cref="Version"/> (sent after its offer and after each version it applied):
/// the pool gives a node work only while it is at most <c>r1.cluster.max-version-lag</c> versions behind the learner.
/// </summary>
public sealed record SamplerNodeVersion(string NodeName, long Version);

/// <summary>One device of a node: its sampler actor and how many requests it takes at once.</summary>
public sealed record OfferedSampler(string Device, IActorRef Worker, int Capacity);

/// <summary>A file of the model folder or a weights version: its name, size and SHA-256 (hex), checked on arrival.</summary>
public sealed record TransferFile(string Name, long Length, string Sha256);

/// <summary>Asks the learner node's weights server for a file of the model folder (by name) or, with <see cref="Weights"/>, the newest weights version.</summary>
public sealed record FetchFile(string Name)
{
    public const string Weights = "weights";
}

/// <summary>
/// The answer to <see cref="FetchFile"/>: the file's description and its bytes as a stream reference, chunked, with
/// backpressure across the network. For weights, <see cref="Version"/> and whether they are a LoRA adapter's alone.
/// </summary>
public sealed record FileOffer(TransferFile File, long Version, bool IsAdapter, ISourceRef<byte[]> Chunks);

/// <summary>The weights server could not offer the file (unknown name, nothing published yet, an export that failed).</summary>
public sealed record FileRefused(string Name, string Reason);
