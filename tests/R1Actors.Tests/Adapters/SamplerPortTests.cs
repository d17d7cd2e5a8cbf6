using System.Text.Json;
using R1Actors.Adapters;
using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;
using R1Actors.Training.Weights;

namespace R1Actors.Tests.Adapters;

public sealed class SamplerPortTests
{
    private static readonly TinyModelSettings Tiny = new(32, 1, 2, 1, 48, 256, 10000, 3);

    private static PolicyReplica Replica(long initSeed) =>
        PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = initSeed }),
            new TokenizerSettings("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true), "cpu");

    private static IssuedPrompt Prompt(long ordinal, PromptContent content) =>
        new(ordinal, new PromptCursor(0, ordinal), new Prompt($"p{ordinal}", content, new TaskSpec("exact", new Dictionary<string, JsonElement>())));

    [Fact]
    public void Generates_g_rollouts_per_prompt_with_the_applied_version_and_learner_weights()
    {
        using var learner = Replica(initSeed: 1);
        using var store = new WeightStore();
        store.Publish(learner.Model, 4);
        using var port = new SamplerPort(Replica(initSeed: 2), store, new SamplingOptions { MaxNewTokens = 5 }, "cpu");
        Assert.Throws<InvalidOperationException>(() => port.Generate(new SampleBatch([Prompt(0, new TextPrompt("1+1"))], 2, 9, 4)));
        port.ApplyWeights(4);
        var batch = new SampleBatch([Prompt(0, new TextPrompt("1+1")), Prompt(1, new ChatPrompt([new("user", "2+2")]))], 3, RunSeed: 9, PolicyVersion: 4);
        var rollouts = port.Generate(batch);
        Assert.Equal(6, rollouts.Count);
        Assert.Equal([0, 1, 2, 0, 1, 2], rollouts.Select(r => r.SampleIndex));
        Assert.All(rollouts, r => Assert.Equal(4, r.PolicyVersion));
        Assert.Equal(learner.EncodePrompt("2+2"), rollouts[3].PromptTokenIds);
        // The learner's weights sample what the learner itself samples with the same seeds.
        var expected = learner.Sample([learner.EncodePrompt("1+1")], 3,
            [.. Enumerable.Range(0, 3).Select(i => SampleSeed.Derive(9, 4, 0, i))], new SamplingOptions { MaxNewTokens = 5 });
        Assert.Equal(expected.Select(c => c.CompletionTokenIds), rollouts.Take(3).Select(r => r.CompletionTokenIds));
    }
}
