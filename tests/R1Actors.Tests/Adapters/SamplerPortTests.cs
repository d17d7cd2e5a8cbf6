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

    [Fact]
    public void A_lora_sampler_holds_base_plus_adapter_and_a_version_moves_the_adapter_alone()
    {
        var lora = new Policy.Model.Lora.LoraSettings(2, 4, 0.0, ["q_proj", "v_proj"], InitSeed: 1);
        using var learner = PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = 1 }),
            new TokenizerSettings("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true), "cpu", lora);
        using (TorchSharp.torch.no_grad())
        using (var generator = new TorchSharp.torch.Generator(3))
            foreach (var (_, parameter) in learner.Model.Adapter!.NamedParameters())
                parameter.normal_(0, 0.5, generator);
        using var store = new WeightStore();
        store.Publish(learner.Model.PublishedWeights(), 4);
        using (var lease = store.Acquire())
        {
            Assert.True(lease.Snapshot.Weights.IsAdapter);
            Assert.Equal(learner.Model.Adapter.ByteSize, lease.Snapshot.Weights.ByteSize);
        }
        using var port = new SamplerPort(PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = 1 }),
            new TokenizerSettings("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true), "cpu", lora with { InitSeed = 9 }), store,
            new SamplingOptions { MaxNewTokens = 5 }, "cpu");
        port.ApplyWeights(4);
        var rollouts = port.Generate(new SampleBatch([Prompt(0, new TextPrompt("1+1"))], 3, RunSeed: 9, PolicyVersion: 4));
        var expected = learner.Sample([learner.EncodePrompt("1+1")], 3,
            [.. Enumerable.Range(0, 3).Select(i => SampleSeed.Derive(9, 4, 0, i))], new SamplingOptions { MaxNewTokens = 5 });
        Assert.Equal(expected.Select(c => c.CompletionTokenIds), rollouts.Select(r => r.CompletionTokenIds));
        Assert.Equal(expected.Select(c => c.LogProbs), rollouts.Select(r => r.BehaviourLogProbs));
    }
}
