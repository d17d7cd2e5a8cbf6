using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Akka.Streams;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Cluster;

namespace R1Actors.Pipeline.Wire;

/// <summary>
/// The explicit, versioned wire format of the messages that cross nodes (Akka.Remote / Akka.Cluster): prompts
/// to samplers, rollouts back, weights versions, scored groups, and the cluster's own protocol (a sampler node's
/// introduction, its offer, file transfers). Not Akka's default JSON of internals: each message type has a manifest
/// that carries its schema version (<c>rollout.v2</c>), and a reader never stops reading an older version. Binary,
/// little-endian, length-prefixed UTF-8 strings; task fields travel as their JSON text, so a field R1Actors does not
/// know crosses unchanged. Actor references travel as their full paths, stream references with Akka.Streams' own
/// serializer, nested.
/// <para>Changing a message: add a new manifest (<c>rollout.v3</c>) written from then on, keep the reader of
/// every older one, and add the older version's bytes to <c>WireSerializerTests</c>.</para>
/// <para>Versions: v2 of rollouts (and of the messages that carry them) adds each token's weights version.</para>
/// </summary>
public sealed class WireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka's registry id of this serializer (0–40 are Akka's own).</summary>
    public const int Id = 4821;

    private const string PromptV1 = "prompt.v1";
    private const string RolloutV1 = "rollout.v1";
    private const string RolloutV2 = "rollout.v2";
    private const string GenerateV1 = "generate-rollouts.v1";
    private const string GeneratedV1 = "rollouts-generated.v1";
    private const string GeneratedV2 = "rollouts-generated.v2";
    private const string WeightsV1 = "weights-published.v1";
    private const string GroupV1 = "scored-group.v1";
    private const string GroupV2 = "scored-group.v2";
    private const string HelloV1 = "sampler-node-hello.v1";
    private const string WelcomeV1 = "sampler-node-welcome.v1";
    private const string RefusedV1 = "sampler-node-refused.v1";
    private const string OfferV1 = "sampler-offer.v1";
    private const string NodeVersionV1 = "sampler-node-version.v1";
    private const string StoppingV1 = "learner-stopping.v1";
    private const string FetchV1 = "fetch-file.v1";
    private const string FileOfferV1 = "file-offer.v1";
    private const string FileRefusedV1 = "file-refused.v1";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        IssuedPrompt => PromptV1,
        Rollout => RolloutV2,
        GenerateRollouts => GenerateV1,
        RolloutsGenerated => GeneratedV2,
        WeightsPublished => WeightsV1,
        ScoredGroup => GroupV2,
        SamplerNodeHello => HelloV1,
        SamplerNodeWelcome => WelcomeV1,
        SamplerNodeRefused => RefusedV1,
        SamplerOffer => OfferV1,
        SamplerNodeVersion => NodeVersionV1,
        LearnerStopping => StoppingV1,
        FetchFile => FetchV1,
        FileOffer => FileOfferV1,
        FileRefused => FileRefusedV1,
        _ => throw new SerializationException($"R1Actors' wire format has no schema for {o.GetType().FullName}"),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            switch (obj)
            {
                case IssuedPrompt p: WirePrompts.Write(w, p); break;
                case Rollout r: WireRollouts.Write(w, r); break;
                case GenerateRollouts g: WireFormat.WriteList(w, g.Prompts, WirePrompts.Write); break;
                case RolloutsGenerated g:
                    w.Write(g.Device);
                    w.Write(g.PolicyVersion);
                    WireFormat.WriteList(w, g.Rollouts, WireRollouts.Write);
                    break;
                case WeightsPublished v: w.Write(v.Version); break;
                case ScoredGroup g: WireRollouts.Write(w, g); break;
                case SamplerNodeHello h:
                    w.Write(h.NodeName);
                    WireFormat.WriteList(w, h.Compatibility.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList(), (w2, kv) => { w2.Write(kv.Key); w2.Write(kv.Value); });
                    break;
                case SamplerNodeWelcome welcome:
                    w.Write(welcome.GroupSize);
                    w.Write(welcome.RunSeed);
                    w.Write(welcome.PolicyVersion);
                    WireFormat.WriteList(w, welcome.ModelFiles, WriteFile);
                    break;
                case SamplerNodeRefused refused: w.Write(refused.Reason); break;
                case SamplerOffer offer:
                    w.Write(offer.NodeName);
                    WireFormat.WriteList(w, offer.Samplers, (w2, s) =>
                    {
                        w2.Write(s.Device);
                        w2.Write(Serialization.SerializedActorPath(s.Worker));
                        w2.Write(s.Capacity);
                    });
                    break;
                case SamplerNodeVersion v:
                    w.Write(v.NodeName);
                    w.Write(v.Version);
                    break;
                case LearnerStopping stopping: w.Write(stopping.Reason); break;
                case FetchFile fetch: w.Write(fetch.Name); break;
                case FileOffer offer:
                    WriteFile(w, offer.File);
                    w.Write(offer.Version);
                    w.Write(offer.IsAdapter);
                    WriteNested(w, offer.Chunks);
                    break;
                case FileRefused refused:
                    w.Write(refused.Name);
                    w.Write(refused.Reason);
                    break;
                default: throw new SerializationException($"R1Actors' wire format has no schema for {obj.GetType().FullName}");
            }
        }
        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        try
        {
            object message = manifest switch
            {
                PromptV1 => WirePrompts.Read(r),
                RolloutV1 => WireRollouts.ReadRolloutV1(r),
                RolloutV2 => WireRollouts.ReadRollout(r),
                GenerateV1 => new GenerateRollouts(WireFormat.ReadList(r, WirePrompts.Read)),
                GeneratedV1 => new RolloutsGenerated(r.ReadString(), r.ReadInt64(), WireFormat.ReadList(r, WireRollouts.ReadRolloutV1)),
                GeneratedV2 => new RolloutsGenerated(r.ReadString(), r.ReadInt64(), WireFormat.ReadList(r, WireRollouts.ReadRollout)),
                WeightsV1 => new WeightsPublished(r.ReadInt64()),
                GroupV1 => WireRollouts.ReadGroup(r, WireRollouts.ReadRolloutV1),
                GroupV2 => WireRollouts.ReadGroup(r, WireRollouts.ReadRollout),
                HelloV1 => new SamplerNodeHello(r.ReadString(),
                    WireFormat.ReadList(r, r2 => (Key: r2.ReadString(), Value: r2.ReadString())).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)),
                WelcomeV1 => new SamplerNodeWelcome(r.ReadInt32(), r.ReadUInt64(), r.ReadInt64(), WireFormat.ReadList(r, ReadFile)),
                RefusedV1 => new SamplerNodeRefused(r.ReadString()),
                OfferV1 => new SamplerOffer(r.ReadString(), WireFormat.ReadList(r, r2 =>
                    new OfferedSampler(r2.ReadString(), system.Provider.ResolveActorRef(r2.ReadString()), r2.ReadInt32()))),
                NodeVersionV1 => new SamplerNodeVersion(r.ReadString(), r.ReadInt64()),
                StoppingV1 => new LearnerStopping(r.ReadString()),
                FetchV1 => new FetchFile(r.ReadString()),
                FileOfferV1 => new FileOffer(ReadFile(r), r.ReadInt64(), r.ReadBoolean(), (ISourceRef<byte[]>)ReadNested(r)),
                FileRefusedV1 => new FileRefused(r.ReadString(), r.ReadString()),
                _ => throw new SerializationException(
                    $"a message with manifest '{manifest}' is not known to this R1Actors (a newer node sent it?): run the same R1Actors version on every node"),
            };
            if (r.BaseStream.Position != bytes.Length)
                throw new SerializationException($"a '{manifest}' message has {bytes.Length - r.BaseStream.Position} bytes past its end");
            return message;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException or ArgumentOutOfRangeException or InvalidCastException)
        {
            throw new SerializationException($"a '{manifest}' message of {bytes.Length} bytes is malformed: {e.Message}", e);
        }
    }

    private static void WriteFile(BinaryWriter w, TransferFile f)
    {
        w.Write(f.Name);
        w.Write(f.Length);
        w.Write(f.Sha256);
    }

    private static TransferFile ReadFile(BinaryReader r) => new(r.ReadString(), r.ReadInt64(), r.ReadString());

    /// <summary>An object that belongs to another serializer (a stream reference): its serializer's id, manifest and bytes.</summary>
    private void WriteNested(BinaryWriter w, object nested)
    {
        var serializer = system.Serialization.FindSerializerFor(nested);
        var bytes = serializer.ToBinary(nested);
        w.Write(serializer.Identifier);
        w.Write(Serialization.ManifestFor(serializer, nested));
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private object ReadNested(BinaryReader r)
    {
        var id = r.ReadInt32();
        var manifest = r.ReadString();
        var length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position)
            throw new FormatException($"a nested object of {length} bytes does not fit the message");
        return system.Serialization.Deserialize(r.ReadBytes(length), id, manifest);
    }

    private static readonly Type[] Bound =
    [
        typeof(IssuedPrompt), typeof(Rollout), typeof(GenerateRollouts), typeof(RolloutsGenerated), typeof(WeightsPublished), typeof(ScoredGroup),
        typeof(SamplerNodeHello), typeof(SamplerNodeWelcome), typeof(SamplerNodeRefused), typeof(SamplerOffer), typeof(SamplerNodeVersion), typeof(LearnerStopping), typeof(FetchFile), typeof(FileOffer), typeof(FileRefused),
    ];

    /// <summary>The Akka configuration that registers this serializer for every message type above.</summary>
    public static string AkkaConfig { get; } = $$"""
        akka.actor {
          serializers.r1-wire = "{{Binding(typeof(WireSerializer))}}"
          serialization-bindings {
        {{string.Join(Environment.NewLine, Bound.Select(t => $"    \"{Binding(t)}\" = r1-wire"))}}
          }
        }
        """;

    private static string Binding(Type t) => $"{t.FullName}, {t.Assembly.GetName().Name}";
}
