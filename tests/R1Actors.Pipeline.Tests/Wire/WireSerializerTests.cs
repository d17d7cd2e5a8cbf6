using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Cluster;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Wire;

namespace R1Actors.Pipeline.Tests.Wire;

/// <summary>The messages that cross nodes: an explicit, versioned format that Akka picks, that round-trips, and that keeps reading old bytes.</summary>
public sealed class WireSerializerTests : IDisposable
{
    private readonly ActorSystem _system = PipelineDispatchers.CreateSystem("wire-tests", ActorMaterializer.DefaultConfig());

    public void Dispose() => _system.Dispose();

    private static IssuedPrompt Prompt(PromptContent content) => new(7, new PromptCursor(2, 41), new Prompt("gsm8k:12", content,
        new TaskSpec("math", new Dictionary<string, JsonElement> { ["reference"] = JsonSerializer.SerializeToElement("72"), ["extra"] = JsonSerializer.SerializeToElement(new { a = new[] { 1, 2 } }) })));

    private static Rollout Rollout(IssuedPrompt prompt) =>
        new(prompt, 3, [1, 2, 3], [4, 5], "<answer>72</answer>", [-0.5f, -1.25f], 9, FinishReason.Length, "cuda:1");

    [Fact]
    public void Akka_serializes_every_cross_node_message_with_the_wire_format()
    {
        var prompt = Prompt(new TextPrompt("What is 48 + 24?"));
        object[] messages = [prompt, Rollout(prompt), new GenerateRollouts([prompt]), new RolloutsGenerated("cpu", 4, [Rollout(prompt)]), new WeightsPublished(12),
            new ScoredGroup(prompt, [new ScoredRollout(Rollout(prompt), new RewardOutcome(1.1, new Dictionary<string, double> { ["answer"] = 1, ["format"] = 1 }, null), TimeSpan.FromMilliseconds(3))])];
        var serialization = _system.Serialization;
        foreach (var message in messages)
        {
            var serializer = Assert.IsType<WireSerializer>(serialization.FindSerializerFor(message));
            var bytes = serializer.ToBinary(message);
            var back = serialization.Deserialize(bytes, serializer.Identifier, serializer.Manifest(message));
            Assert.Equal(Describe(message), Describe(back));
        }
    }

    [Fact]
    public void A_chat_prompt_a_reason_and_task_fields_of_any_shape_survive_the_round_trip()
    {
        var serializer = new WireSerializer((ExtendedActorSystem)_system);
        var prompt = Prompt(new ChatPrompt([new ChatMessage("system", "Be brief."), new ChatMessage("user", "Reach 24 with 3, 8, 1")]));
        var group = new ScoredGroup(prompt, [new ScoredRollout(Rollout(prompt), new RewardOutcome(0, new Dictionary<string, double> { ["answer"] = 0 }, "case 1 of 2 wrong-answer"), TimeSpan.FromTicks(12345))]);
        var back = (ScoredGroup)serializer.FromBinary(serializer.ToBinary(group), serializer.Manifest(group));
        Assert.Equal(Describe(group), Describe(back));
        Assert.Equal("case 1 of 2 wrong-answer", back.Completions[0].Reward.Reason);
        Assert.Equal("""{"a":[1,2]}""", back.Prompt.Prompt.Task.Fields["extra"].GetRawText());
    }

    /// <summary>A rollout as R1Actors' first wire version wrote it: every later version must still read these bytes.</summary>
    private const string RolloutV1Bytes =
        "0700000000000000020000000000000029000000000000000867736d386b3a3132001057686174206973203438202b20"
        + "32343f046d61746802000000097265666572656e636504223732220565787472610b7b2261223a5b312c325d7d030000"
        + "0003000000010000000200000003000000020000000400000005000000133c616e737765723e37323c2f616e73776572"
        + "3e02000000000000bf0000a0bf09000000000000000106637564613a31";

    [Fact]
    public void Bytes_written_by_version_1_still_read()
    {
        var serializer = new WireSerializer((ExtendedActorSystem)_system);
        var expected = Rollout(Prompt(new TextPrompt("What is 48 + 24?")));
        var read = (Rollout)serializer.FromBinary(Convert.FromHexString(RolloutV1Bytes), "rollout.v1");
        Assert.Equal(Describe(expected), Describe(read));
        // Today's writer writes version 2: version 1's fields, then a flag for the per-token versions (none here).
        Assert.Equal("rollout.v2", serializer.Manifest(expected));
        Assert.Equal(RolloutV1Bytes + "00", Convert.ToHexString(serializer.ToBinary(expected)).ToLowerInvariant());
        Assert.Null(((Rollout)serializer.FromBinary(Convert.FromHexString(RolloutV1Bytes + "00"), "rollout.v2")).TokenVersions);
    }

    [Fact]
    public void Each_tokens_weights_version_crosses_with_its_rollout_alone_in_a_batch_and_in_a_group()
    {
        var serializer = new WireSerializer((ExtendedActorSystem)_system);
        var rollout = Rollout(Prompt(new TextPrompt("x"))) with { TokenVersions = [8, 9] };
        var alone = (Rollout)serializer.FromBinary(serializer.ToBinary(rollout), serializer.Manifest(rollout));
        Assert.Equal([8L, 9L], alone.TokenVersions!);
        var batch = new RolloutsGenerated("cpu", 8, [rollout]);
        Assert.Equal([8L, 9L], ((RolloutsGenerated)serializer.FromBinary(serializer.ToBinary(batch), serializer.Manifest(batch))).Rollouts[0].TokenVersions!);
        var group = new ScoredGroup(rollout.Prompt, [new ScoredRollout(rollout, new RewardOutcome(1, new Dictionary<string, double>(), null), TimeSpan.Zero)]);
        Assert.Equal([8L, 9L], ((ScoredGroup)serializer.FromBinary(serializer.ToBinary(group), serializer.Manifest(group))).Completions[0].Rollout.TokenVersions!);
    }

    [Fact]
    public void The_cluster_protocol_round_trips_actor_references_and_all()
    {
        var serialization = _system.Serialization;
        var probe = _system.ActorOf(Props.Empty, "offered-sampler");
        var files = new[] { new TransferFile("config.json", 646, "ab12"), new TransferFile("model.safetensors", 2428408, "cd34") };
        object[] messages =
        [
            new SamplerNodeHello("gpu-node-3", new Dictionary<string, string> { ["r1.sampling.temperature"] = "1.0", ["r1.model.dtype"] = "auto" }),
            new SamplerNodeWelcome(8, 42UL, 17, files),
            new SamplerNodeRefused("r1.sampling.temperature = 1.0 here, 0.7 there"),
            new SamplerOffer("gpu-node-3", [new OfferedSampler("cuda:0", probe, 3), new OfferedSampler("cuda:1", probe, 3)]),
            new SamplerNodeVersion("gpu-node-3", 18),
            new LearnerStopping("the run ended"),
            new FetchFile(FetchFile.Weights),
            new FileRefused("weights", "nothing published yet"),
        ];
        foreach (var message in messages)
        {
            var serializer = Assert.IsType<WireSerializer>(serialization.FindSerializerFor(message));
            var back = serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, serializer.Manifest(message));
            Assert.Equal(Describe(message), Describe(back));
        }
        var offer = (SamplerOffer)serialization.Deserialize(serialization.FindSerializerFor(messages[3]).ToBinary(messages[3]), WireSerializer.Id, "sampler-offer.v1");   // messages[3] is the offer
        Assert.Equal(probe, offer.Samplers[1].Worker);
    }

    [Fact]
    public async Task A_file_offer_carries_a_stream_reference_whose_chunks_still_flow_after_the_round_trip()
    {
        using var materializer = _system.Materializer();
        var chunks = await Source.From(new[] { new byte[] { 1, 2 }, new byte[] { 3 } }).RunWith(StreamRefs.SourceRef<byte[]>(), materializer);
        var offer = new FileOffer(new TransferFile("weights-v3.safetensors", 3, "ef"), 3, IsAdapter: true, chunks);
        var serializer = Assert.IsType<WireSerializer>(_system.Serialization.FindSerializerFor(offer));
        var back = (FileOffer)serializer.FromBinary(serializer.ToBinary(offer), serializer.Manifest(offer));
        Assert.Equal((offer.File, 3L, true), (back.File, back.Version, back.IsAdapter));
        var received = await back.Chunks.Source.RunAggregate(new List<byte>(), (all, chunk) => { all.AddRange(chunk); return all; }, materializer);
        Assert.Equal([1, 2, 3], received);
    }

    [Fact]
    public void An_unknown_manifest_a_truncated_message_and_trailing_bytes_are_refused_with_the_reason()
    {
        var serializer = new WireSerializer((ExtendedActorSystem)_system);
        var bytes = serializer.ToBinary(new WeightsPublished(5));
        Assert.Contains("run the same R1Actors version on every node", Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "weights-published.v9")).Message);
        Assert.Contains("malformed", Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..4], "weights-published.v1")).Message);
        Assert.Contains("past its end", Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "weights-published.v1")).Message);
        var rollout = serializer.ToBinary(Rollout(Prompt(new TextPrompt("x"))));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(rollout[..^3], "rollout.v1"));
    }

    /// <summary>A message's content as text (records hold lists by reference, so record equality cannot compare them).</summary>
    private static string Describe(object message) => message switch
    {
        IssuedPrompt p => $"P({p.Ordinal},{p.Cursor},{p.Prompt.Id},{Content(p.Prompt.Content)},{p.Prompt.Task.Kind},{string.Join(";", p.Prompt.Task.Fields.Select(f => $"{f.Key}={f.Value.GetRawText()}"))})",
        Rollout r => $"R({Describe(r.Prompt)},{r.SampleIndex},[{string.Join(",", r.PromptTokenIds)}],[{string.Join(",", r.CompletionTokenIds)}],{r.CompletionText},[{string.Join(",", r.BehaviourLogProbs)}],{r.PolicyVersion},{r.FinishReason},{r.Device})",
        GenerateRollouts g => $"G[{string.Join(",", g.Prompts.Select(Describe))}]",
        RolloutsGenerated g => $"RG({g.Device},{g.PolicyVersion},[{string.Join(",", g.Rollouts.Select(Describe))}])",
        WeightsPublished w => $"W({w.Version})",
        SamplerNodeHello h => $"H({h.NodeName},{string.Join(";", h.Compatibility.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))})",
        SamplerNodeWelcome w => $"WE({w.GroupSize},{w.RunSeed},{w.PolicyVersion},{string.Join(";", w.ModelFiles)})",
        SamplerNodeRefused r => $"NR({r.Reason})",
        SamplerOffer o => $"O({o.NodeName},{string.Join(";", o.Samplers.Select(s => $"{s.Device}:{s.Worker.Path}:{s.Capacity}"))})",
        SamplerNodeVersion v => $"NV({v.NodeName},{v.Version})",
        LearnerStopping l => $"LS({l.Reason})",
        FetchFile f => $"F({f.Name})",
        FileRefused f => $"FR({f.Name},{f.Reason})",
        ScoredGroup g => $"SG({Describe(g.Prompt)},[{string.Join(",", g.Completions.Select(c => $"{Describe(c.Rollout)}:{c.Reward.Score}:{string.Join(";", c.Reward.Components)}:{c.Reward.Reason}:{c.VerifyLatency.Ticks}"))}])",
        _ => throw new ArgumentException(message.GetType().Name),
    };

    private static string Content(PromptContent content) => content switch
    {
        TextPrompt t => $"text:{t.Text}",
        ChatPrompt c => $"chat:{string.Join("|", c.Messages.Select(m => $"{m.Role}:{m.Content}"))}",
        _ => throw new ArgumentException(content.GetType().Name),
    };
}
