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
    public void A_prompt_with_no_room_in_the_cache_comes_back_refused_in_its_place_and_the_others_sample_as_without_it()
    {
        using var learner = Replica(initSeed: 1);
        using var store = new WeightStore();
        store.Publish(learner.Model, 0);
        var options = new SamplingOptions { MaxNewTokens = 5, ContextTokens = learner.EncodePrompt("1+1").Count + 5 };
        using var port = new SamplerPort(Replica(initSeed: 1), store, options, "cpu");
        port.ApplyWeights(0);
        IssuedPrompt[] prompts = [Prompt(0, new TextPrompt("1+1")), Prompt(1, new TextPrompt(new string('9', 400))), Prompt(2, new TextPrompt("2+2"))];

        var rollouts = port.Generate(new SampleBatch(prompts, 2, RunSeed: 9, PolicyVersion: 0));
        var without = port.Generate(new SampleBatch([prompts[0], prompts[2]], 2, RunSeed: 9, PolicyVersion: 0));

        Assert.Equal([0L, 0L, 1L, 1L, 2L, 2L], rollouts.Select(r => r.Prompt.Ordinal));
        Assert.All(rollouts.Where(r => r.Prompt.Ordinal == 1), r => Assert.True(r.Refused && r.CompletionTokenIds.Count == 0 && r.BehaviourLogProbs.Count == 0));
        Assert.Equal(without.Select(r => r.CompletionTokenIds), rollouts.Where(r => !r.Refused).Select(r => r.CompletionTokenIds));
        Assert.Equal(1, port.RefusedPrompts);
    }

    /// <summary>A tiny learner replica whose adapter holds random values (B ≠ 0), so the adapter changes what it samples.</summary>
    private static PolicyReplica TrainedLoraLearner(Policy.Model.Lora.LoraSettings lora)
    {
        var learner = PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = 1 }),
            new TokenizerSettings("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true), "cpu", lora);
        using (TorchSharp.torch.no_grad())
        using (var generator = new TorchSharp.torch.Generator(3))
            foreach (var (_, parameter) in learner.Model.Adapter!.NamedParameters())
                parameter.normal_(0, 0.5, generator);
        return learner;
    }

    [Fact]
    public void A_lora_sampler_holds_base_plus_adapter_and_a_version_moves_the_adapter_alone()
    {
        var lora = new Policy.Model.Lora.LoraSettings(2, 4, 0.0, ["q_proj", "v_proj"], InitSeed: 1, PublishBfloat16: false);
        using var learner = TrainedLoraLearner(lora);
        using var store = new WeightStore();
        store.Publish(learner.Model.PublishedWeights(), 4);
        using (var lease = store.Acquire())
        {
            Assert.True(lease.Snapshot.Weights.IsAdapter);
            Assert.Equal(learner.Model.Adapter!.ByteSize, lease.Snapshot.Weights.ByteSize);
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

    [Fact]
    public void A_bfloat16_publication_moves_half_the_bytes_and_the_sampler_holds_the_learners_adapter_rounded()
    {
        var lora = new Policy.Model.Lora.LoraSettings(2, 4, 0.0, ["q_proj", "v_proj"], InitSeed: 1);
        Assert.True(lora.PublishBfloat16);
        using var learner = TrainedLoraLearner(lora);
        using var store = new WeightStore();
        store.Publish(learner.Model.PublishedWeights(), 4);
        using (var lease = store.Acquire())
        {
            Assert.Equal(learner.Model.Adapter!.ByteSize / 2, lease.Snapshot.Weights.ByteSize);
            Assert.All(lease.Snapshot.Weights.Tensors.Values, t => Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, t.dtype));
        }
        using var sampler = PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = 1 }),
            new TokenizerSettings("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true), "cpu", lora with { InitSeed = 9 });
        using var port = new SamplerPort(sampler, store, new SamplingOptions { MaxNewTokens = 5 }, "cpu");
        port.ApplyWeights(4);
        // The sampler's adapter is float32 holding exactly the learner's values rounded to bfloat16, and nothing else.
        var learnerAdapter = learner.Model.Adapter!.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, held) in sampler.Model.Adapter!.NamedParameters())
        {
            Assert.Equal(TorchSharp.torch.ScalarType.Float32, held.dtype);
            using var rounded = learnerAdapter[name].detach().to(TorchSharp.torch.ScalarType.BFloat16).to(TorchSharp.torch.ScalarType.Float32);
            Assert.True(held.allclose(rounded, rtol: 0, atol: 0), $"{name}: the sampler's adapter is not the learner's rounded to bfloat16");
            using var difference = (held - learnerAdapter[name]).abs().max();
            Assert.True(difference.item<float>() > 0, $"{name}: nothing was rounded, so the publication was not bfloat16");
        }
        // The rounding moves the sampler's log-probs by far less than the adapter itself moves them.
        var rollouts = port.Generate(new SampleBatch([Prompt(0, new TextPrompt("1+1"))], 3, RunSeed: 9, PolicyVersion: 4));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var prompt = learner.EncodePrompt("1+1");
        var prompts = TokenBatch.LeftPadded([.. rollouts.Select(_ => prompt)], 0, TorchSharp.torch.CPU);
        var completions = TokenBatch.RightPadded([.. rollouts.Select(r => r.CompletionTokenIds)], 0, TorchSharp.torch.CPU);
        float[] Scores()
        {
            using var scores = CompletionScorer.Score(learner.Model, prompts.Ids, prompts.Mask, completions.Ids, completions.Mask);
            return [.. rollouts.SelectMany((r, i) => Enumerable.Range(0, r.CompletionTokenIds.Count).Select(t => scores.LogProbs[i, t].item<float>()))];
        }
        var exact = Scores();
        float[] baseLogProbs;
        using (learner.Model.Adapter.Disable())
            baseLogProbs = Scores();
        var sampled = rollouts.SelectMany(r => r.BehaviourLogProbs).ToArray();
        var rounding = sampled.Zip(exact, (a, b) => Math.Abs(a - b)).Max();
        var adapterEffect = exact.Zip(baseLogProbs, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(adapterEffect > 0.05, $"the adapter hardly changes the model ({adapterEffect}), so the bound below says nothing");
        Assert.True(rounding < 0.02 * adapterEffect, $"bfloat16 rounding moved log-probs by {rounding}, against the adapter's own effect of {adapterEffect}");
    }
}
