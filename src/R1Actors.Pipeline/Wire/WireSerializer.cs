using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using R1Actors.Pipeline.Actors;

namespace R1Actors.Pipeline.Wire;

/// <summary>
/// The explicit, versioned wire format of the messages that cross nodes (Akka.Remote / Akka.Cluster): prompts
/// to samplers, rollouts back, weights versions, scored groups. Not Akka's default JSON of internals: each
/// message type has a manifest that carries its schema version (<c>rollout.v1</c>), and a reader never stops
/// reading an older version. Binary, little-endian, length-prefixed UTF-8 strings; task fields travel as their
/// JSON text, so a field R1Actors does not know crosses unchanged.
/// <para>Changing a message: add a new manifest (<c>rollout.v2</c>) written from then on, keep the reader of
/// every older one, and add the older version's bytes to <c>WireSerializerTests</c>.</para>
/// </summary>
public sealed class WireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka's registry id of this serializer (0–40 are Akka's own).</summary>
    public const int Id = 4821;

    private const string PromptV1 = "prompt.v1";
    private const string RolloutV1 = "rollout.v1";
    private const string GenerateV1 = "generate-rollouts.v1";
    private const string GeneratedV1 = "rollouts-generated.v1";
    private const string WeightsV1 = "weights-published.v1";
    private const string GroupV1 = "scored-group.v1";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        IssuedPrompt => PromptV1,
        Rollout => RolloutV1,
        GenerateRollouts => GenerateV1,
        RolloutsGenerated => GeneratedV1,
        WeightsPublished => WeightsV1,
        ScoredGroup => GroupV1,
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
                RolloutV1 => WireRollouts.ReadRollout(r),
                GenerateV1 => new GenerateRollouts(WireFormat.ReadList(r, WirePrompts.Read)),
                GeneratedV1 => new RolloutsGenerated(r.ReadString(), r.ReadInt64(), WireFormat.ReadList(r, WireRollouts.ReadRollout)),
                WeightsV1 => new WeightsPublished(r.ReadInt64()),
                GroupV1 => WireRollouts.ReadGroup(r),
                _ => throw new SerializationException(
                    $"a message with manifest '{manifest}' is not known to this R1Actors (a newer node sent it?): run the same R1Actors version on every node"),
            };
            if (r.BaseStream.Position != bytes.Length)
                throw new SerializationException($"a '{manifest}' message has {bytes.Length - r.BaseStream.Position} bytes past its end");
            return message;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException or ArgumentOutOfRangeException)
        {
            throw new SerializationException($"a '{manifest}' message of {bytes.Length} bytes is malformed: {e.Message}", e);
        }
    }

    /// <summary>The Akka configuration that registers this serializer for every message type above.</summary>
    public static string AkkaConfig { get; } = $$"""
        akka.actor {
          serializers.r1-wire = "{{Binding<WireSerializer>()}}"
          serialization-bindings {
            "{{Binding<IssuedPrompt>()}}" = r1-wire
            "{{Binding<Rollout>()}}" = r1-wire
            "{{Binding<GenerateRollouts>()}}" = r1-wire
            "{{Binding<RolloutsGenerated>()}}" = r1-wire
            "{{Binding<WeightsPublished>()}}" = r1-wire
            "{{Binding<ScoredGroup>()}}" = r1-wire
          }
        }
        """;

    private static string Binding<T>() => $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";
}
