using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Wire;

namespace R1Actors.Pipeline.Tests.Wire;

/// <summary>The messages that cross nodes: an explicit, versioned format that Akka picks, that round-trips, and that keeps reading old bytes.</summary>
public sealed class WireSerializerTests : IDisposable
{
    private readonly ActorSystem _system = PipelineDispatchers.CreateSystem("wire-tests");

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
        // Today's writer still writes version 1: the day it changes, this fails and the old bytes above stay as a reader test.
        Assert.Equal(RolloutV1Bytes, Convert.ToHexString(serializer.ToBinary(expected)).ToLowerInvariant());
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
