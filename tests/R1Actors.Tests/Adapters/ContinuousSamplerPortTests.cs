using System.Text.Json;
using R1Actors.Adapters;
using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;
using R1Actors.Training.Weights;

namespace R1Actors.Tests.Adapters;

public sealed class ContinuousSamplerPortTests
{
    private static readonly TinyModelSettings Tiny = new(32, 1, 2, 1, 48, 256, 10000, 3);
    private static readonly SamplingOptions Options = new() { MaxNewTokens = 6 };

    private static PolicyReplica Replica(long initSeed) =>
        PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = initSeed }),
            new TokenizerSettings("plain", R1ZeroPromptFormat.DefaultTemplate, "", true), "cpu");

    private static IssuedPrompt Prompt(long ordinal, string text) =>
        new(ordinal, new PromptCursor(0, ordinal), new Prompt($"p{ordinal}", new TextPrompt(text), new TaskSpec("exact", new Dictionary<string, JsonElement>())));

    private static List<IReadOnlyList<Rollout>> Drain(ContinuousSamplerPort port)
    {
        var groups = new List<IReadOnlyList<Rollout>>();
        while (port.HasWork)
            groups.AddRange(port.Step());
        return groups;
    }

    [Fact]
    public void Continuous_rollouts_equal_the_static_ports_for_the_same_prompts_version_and_seeds()
    {
        using var learner = Replica(initSeed: 1);
        using var store = new WeightStore();
        store.Publish(learner.Model, 4);
        using var whole = new SamplerPort(Replica(initSeed: 2), store, Options, "cpu");
        using var port = new ContinuousSamplerPort(Replica(initSeed: 2), store, Options, new ContinuousBatchingSettings(Slots: 4, SlotTokens: 40), "cpu");
        whole.ApplyWeights(4);
        port.ApplyWeights(4);
        IssuedPrompt[] prompts = [Prompt(0, "1+1="), Prompt(1, "22+7="), Prompt(2, "5+5=")];
        foreach (var prompt in prompts)
            port.Enqueue(prompt, groupSize: 3, runSeed: 9);
        var groups = Drain(port).OrderBy(g => g[0].Prompt.Ordinal).ToArray();
        var expected = whole.Generate(new SampleBatch(prompts, 3, RunSeed: 9, PolicyVersion: 4));

        Assert.Equal(3, groups.Length);
        Assert.Equal(expected.Select(r => (r.Prompt.Ordinal, r.SampleIndex, r.CompletionText, r.FinishReason, r.PolicyVersion)),
            groups.SelectMany(g => g).Select(r => (r.Prompt.Ordinal, r.SampleIndex, r.CompletionText, r.FinishReason, r.PolicyVersion)));
        Assert.All(expected.Zip(groups.SelectMany(g => g)), pair =>
            Assert.All(pair.First.BehaviourLogProbs.Zip(pair.Second.BehaviourLogProbs), lp => Assert.Equal(lp.First, lp.Second, 1e-5)));
        Assert.Equal(0, port.RefusedPrompts);
        Assert.True(port.Occupancy.ActiveRowSteps > 0 && port.Occupancy.ActiveRowSteps <= port.Occupancy.SlotSteps);
    }

    [Fact]
    public void A_prompt_with_no_room_in_its_slot_comes_back_refused_empty_and_counted_and_the_others_sample()
    {
        using var learner = Replica(initSeed: 1);
        using var store = new WeightStore();
        store.Publish(learner.Model, 0);
        using var port = new ContinuousSamplerPort(Replica(initSeed: 1), store, Options, new ContinuousBatchingSettings(Slots: 2, SlotTokens: 12), "cpu");
        port.ApplyWeights(0);
        port.Enqueue(Prompt(0, "1+1="), groupSize: 2, runSeed: 9);
        port.Enqueue(Prompt(1, "123456+654321="), groupSize: 2, runSeed: 9);   // 14 tokens in a slot of 12
        port.Enqueue(Prompt(2, "12345+54321="), groupSize: 2, runSeed: 9);     // 12: not even one new token fits
        var groups = Drain(port).ToDictionary(g => g[0].Prompt.Ordinal);

        Assert.Equal(2, port.RefusedPrompts);
        Assert.Equal([0L, 1L, 2L], groups.Keys.Order());
        Assert.All(groups.Values, g => Assert.Equal([0, 1], g.Select(r => r.SampleIndex)));
        foreach (var refused in new[] { groups[1], groups[2] })
            Assert.All(refused, r =>
            {
                Assert.Equal(FinishReason.Refused, r.FinishReason);
                Assert.Empty(r.CompletionTokenIds);
                Assert.Empty(r.BehaviourLogProbs);
                Assert.Equal("", r.CompletionText);
            });
        Assert.All(groups[0], r => Assert.NotEqual(FinishReason.Refused, r.FinishReason));
        Assert.False(port.HasWork);
    }

    [Fact]
    public void A_prompt_cramped_in_its_slot_gets_the_room_left_and_both_modes_give_the_same_rollouts()
    {
        using var learner = Replica(initSeed: 1);
        using var store = new WeightStore();
        store.Publish(learner.Model, 0);
        var options = Options with { ContextTokens = 12 };
        using var whole = new SamplerPort(Replica(initSeed: 1), store, options, "cpu");
        using var port = new ContinuousSamplerPort(Replica(initSeed: 1), store, options, new ContinuousBatchingSettings(Slots: 3, SlotTokens: 12), "cpu");
        whole.ApplyWeights(0);
        port.ApplyWeights(0);
        IssuedPrompt[] prompts = [Prompt(0, "1+1="), Prompt(1, "1234+4321="), Prompt(2, "12345+54321="), Prompt(3, "5+5=")];   // 4, 10, 12, 4 tokens
        foreach (var prompt in prompts)
            port.Enqueue(prompt, groupSize: 2, runSeed: 9);
        var continuous = Drain(port).OrderBy(g => g[0].Prompt.Ordinal).SelectMany(g => g).ToArray();
        var batch = whole.Generate(new SampleBatch(prompts, 2, RunSeed: 9, PolicyVersion: 0));

        Assert.Equal(batch.Select(r => (r.Prompt.Ordinal, r.SampleIndex, r.CompletionText, r.FinishReason)),
            continuous.Select(r => (r.Prompt.Ordinal, r.SampleIndex, r.CompletionText, r.FinishReason)));
        Assert.All(batch.Where(r => r.Prompt.Ordinal == 1), r => Assert.True(r.CompletionTokenIds.Count <= 2));   // 12 − 10 tokens of room
        Assert.Contains(batch, r => r.Prompt.Ordinal == 1 && r.FinishReason == FinishReason.Length);
        Assert.All(batch.Where(r => r.Prompt.Ordinal == 2), r => Assert.Equal(FinishReason.Refused, r.FinishReason));
        Assert.Equal(1, whole.RefusedPrompts);
        Assert.Equal(1, port.RefusedPrompts);
    }
}
