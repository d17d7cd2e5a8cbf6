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
    public void A_prompt_too_long_for_a_slot_is_refused_counted_and_sampled_on_its_own()
    {
        using var learner = Replica(initSeed: 1);
        using var store = new WeightStore();
        store.Publish(learner.Model, 0);
        using var port = new ContinuousSamplerPort(Replica(initSeed: 1), store, Options, new ContinuousBatchingSettings(Slots: 2, SlotTokens: 12), "cpu");
        port.ApplyWeights(0);
        port.Enqueue(Prompt(0, "1+1="), groupSize: 2, runSeed: 9);
        port.Enqueue(Prompt(1, "123456+654321="), groupSize: 2, runSeed: 9);
        var groups = Drain(port);

        Assert.Equal(1, port.RefusedPrompts);
        Assert.Equal([0L, 1L], groups.Select(g => g[0].Prompt.Ordinal).Order());
        Assert.All(groups, g => Assert.Equal(2, g.Count));
    }
}
