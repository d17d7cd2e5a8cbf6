using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Training.Weights;
using Serilog;

namespace R1Actors.Adapters;

/// <summary>
/// The pipeline's <see cref="ISamplerPort"/> over a <see cref="PolicyReplica"/> on one device: prompts are written
/// with the configured prompt format and tokenized, each sample draws from the seed derived from
/// (run seed, policy version, prompt ordinal, sample), and new weights are copied in from the learner's
/// <see cref="WeightStore"/> between batches. A prompt gets the room <see cref="SamplingOptions.ContextTokens"/>
/// leaves it (<see cref="ContextBudget"/>); one with none is refused: logged, counted, and its G rollouts come back
/// empty as <see cref="FinishReason.Refused"/>, so its group completes, scores 0 and is not trained on.
/// Called from the sampler actor's thread only.
/// </summary>
public sealed class SamplerPort(PolicyReplica replica, WeightStore weights, SamplingOptions options, string device) : ISamplerPort
{
    private static readonly ILogger Log = Serilog.Log.ForContext<SamplerPort>();

    public long PolicyVersion { get; private set; } = -1;

    /// <summary>Prompts refused since the port was made (each logged with its id and lengths).</summary>
    public long RefusedPrompts { get; private set; }

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
        var context = options.ContextTokens > 0 ? options.ContextTokens : int.MaxValue;
        var rooms = prompts.Select(ids => ContextBudget.Room(ids, context, options.MaxNewTokens, replica.Model.Config.VocabSize)).ToArray();
        var kept = Enumerable.Range(0, prompts.Length).Where(i => rooms[i].Refusal is null).ToArray();
        var sampled = new Rollout[kept.Length][];   // prompt-major, as the generator returns them
        if (kept.Length > 0)
        {
            var seeds = GenerationRequest.ForStep([.. kept.Select(i => prompts[i])], batch.GroupSize, batch.RunSeed, batch.PolicyVersion,
                [.. kept.Select(i => batch.Prompts[i].Ordinal)]).Seeds;
            var limits = kept.Any(i => rooms[i].NewTokens < options.MaxNewTokens) ? kept.Select(i => rooms[i].NewTokens).ToArray() : null;
            sampled = [.. replica.Sample([.. kept.Select(i => prompts[i])], batch.GroupSize, seeds, options, limits)
                .Select(c => ToRollout(batch.Prompts[kept[c.Prompt]], c, PolicyVersion, device)).Chunk(batch.GroupSize)];
        }
        return [.. Enumerable.Range(0, prompts.Length).SelectMany(i => rooms[i].Refusal is { } reason
            ? Refuse(batch.Prompts[i], prompts[i], batch.GroupSize, reason)
            : sampled[Array.IndexOf(kept, i)])];
    }

    /// <summary>
    /// The G rollouts of a prompt that is not sampled: empty, <see cref="FinishReason.Refused"/>, stamped with the
    /// version held now. Logs the refusal with the prompt's id and length, and counts it.
    /// </summary>
    internal IReadOnlyList<Rollout> Refuse(IssuedPrompt prompt, IReadOnlyList<int> ids, int groupSize, string reason)
    {
        RefusedPrompts++;
        Log.Warning("Prompt {PromptId} ({PromptTokens} tokens) refused on {Device}: {RefusalReason}; its {GroupSize} completions come back empty, score 0 and are not trained on ({RefusedPrompts} refused so far)",
            prompt.Prompt.Id, ids.Count, device, reason, groupSize, RefusedPrompts);
        return [.. Enumerable.Range(0, groupSize).Select(g => new Rollout(prompt, g, ids, [], "", [], PolicyVersion, FinishReason.Refused, device))];
    }

    /// <summary>A completion of <paramref name="prompt"/> as the pipeline's rollout, stamped with <paramref name="version"/>.</summary>
    internal static Rollout ToRollout(IssuedPrompt prompt, SampledCompletion c, long version, string device) => new(
        prompt, c.Sample, c.PromptTokenIds, c.CompletionTokenIds, c.CompletionText, c.LogProbs, version, c.FinishReason, device);

    public void Dispose() => replica.Dispose();
}
