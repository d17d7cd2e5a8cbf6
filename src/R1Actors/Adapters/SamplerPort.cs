using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Training.Weights;

namespace R1Actors.Adapters;

/// <summary>
/// The pipeline's <see cref="ISamplerPort"/> over a <see cref="PolicyReplica"/> on one device: prompts are written
/// with the configured prompt format and tokenized, each sample draws from the seed derived from
/// (run seed, policy version, prompt ordinal, sample), and new weights are copied in from the learner's
/// <see cref="WeightStore"/> between batches. Called from the sampler actor's thread only.
/// </summary>
public sealed class SamplerPort(PolicyReplica replica, WeightStore weights, SamplingOptions options, string device) : ISamplerPort
{
    public long PolicyVersion { get; private set; } = -1;

    public void ApplyWeights(long version)
    {
        using var lease = weights.Acquire(version);
        lease.Snapshot.CopyInto(replica.Model);
        PolicyVersion = lease.Version;
    }

    public IReadOnlyList<Rollout> Generate(SampleBatch batch)
    {
        if (PolicyVersion < 0)
            throw new InvalidOperationException("the sampler has no weights yet: ApplyWeights must come before Generate");
        var prompts = batch.Prompts.Select(p => replica.Encode(p.Prompt.Content)).ToArray();
        var seeds = GenerationRequest.ForStep(prompts, batch.GroupSize, batch.RunSeed, batch.PolicyVersion,
            [.. batch.Prompts.Select(p => p.Ordinal)]).Seeds;
        var completions = replica.Sample(prompts, batch.GroupSize, seeds, options);
        return [.. completions.Select(c => ToRollout(batch.Prompts[c.Prompt], c, PolicyVersion, device))];
    }

    /// <summary>A completion of <paramref name="prompt"/> as the pipeline's rollout, stamped with <paramref name="version"/>.</summary>
    internal static Rollout ToRollout(IssuedPrompt prompt, SampledCompletion c, long version, string device) => new(
        prompt, c.Sample, c.PromptTokenIds, c.CompletionTokenIds, c.CompletionText, c.LogProbs, version, c.FinishReason, device);

    public void Dispose() => replica.Dispose();
}
