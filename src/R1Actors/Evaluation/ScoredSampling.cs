using System.Runtime.CompilerServices;
using R1Actors.Adapters;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Rewards;

namespace R1Actors.Evaluation;

/// <summary>A sampled completion of prompt <see cref="PromptIndex"/> with the verifier's verdict.</summary>
public sealed record ScoredSample(int PromptIndex, SampledCompletion Completion, RewardOutcome Verdict);

/// <summary>
/// N completions for every prompt, sampled in batches of prompts with seeds from (seed, step, prompt id, sample),
/// each judged by the reward functions as it comes: what evaluations and generation passes share.
/// </summary>
public static class ScoredSampling
{
    /// <param name="promptIds">The id of prompt i in the seeds (its index for evaluations, its ordinal in the training stream for a generation pass).</param>
    public static async IAsyncEnumerable<ScoredSample> RunAsync(
        PolicyReplica replica, IReadOnlyList<Prompt> prompts, Func<int, long> promptIds, int samplesPerPrompt, ulong seed, long step,
        SamplingOptions options, IRewardFunction rewards, int promptsPerBatch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrompt, 1);
        for (var start = 0; start < prompts.Count; start += promptsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Enumerable.Range(start, Math.Min(promptsPerBatch, prompts.Count - start)).ToArray();
            var encoded = batch.Select(i => replica.Encode(prompts[i].Content)).ToArray();
            var seeds = GenerationRequest.ForStep(encoded, samplesPerPrompt, seed, step, [.. batch.Select(promptIds)]).Seeds;
            foreach (var completion in replica.Sample(encoded, samplesPerPrompt, seeds, options))
            {
                var index = batch[completion.Prompt];
                var verdict = await rewards.ScoreAsync(prompts[index].Task, completion.CompletionText, cancellationToken).ConfigureAwait(false);
                yield return new ScoredSample(index, completion, verdict);
            }
        }
    }
}
