using System.Diagnostics;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Rewards;

namespace R1Actors.Evaluation;

/// <summary>What an evaluation measured: pass@1 and pass@k (unbiased), the mean reward, and its cost.</summary>
public sealed record EvaluationResult(
    int Prompts,
    int SamplesPerPrompt,
    double PassAt1,
    IReadOnlyDictionary<int, double> PassAtK,
    double RewardMean,
    double Seconds);

/// <summary>
/// Samples N completions for every prompt of a held-out set with a policy replica and judges each with the
/// reward functions; a completion is correct when its <c>answer</c> component has full marks (format bonuses do
/// not count). Seeds derive from (seed, prompt index, sample), so an evaluation is reproducible.
/// </summary>
public static class PolicyEvaluator
{
    public static async Task<EvaluationResult> EvaluateAsync(
        PolicyReplica replica, IReadOnlyList<Prompt> prompts, int samplesPerPrompt, IReadOnlyList<int> ks,
        SamplingOptions options, IRewardFunction rewards, ulong seed, int promptsPerBatch, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrompt, 1);
        if (prompts.Count == 0)
            throw new ArgumentException("an evaluation needs at least one prompt", nameof(prompts));
        var watch = Stopwatch.StartNew();
        var correct = new int[prompts.Count];
        var rewardSum = 0.0;
        await foreach (var sample in ScoredSampling.RunAsync(replica, prompts, i => i, samplesPerPrompt, seed, 0, options, rewards, promptsPerBatch, cancellationToken).ConfigureAwait(false))
        {
            rewardSum += sample.Verdict.Score;
            if (sample.Verdict.Correct)
                correct[sample.PromptIndex]++;
        }
        var counts = correct.Select(c => (samplesPerPrompt, c)).ToArray();
        var passAtK = ks.Where(k => k >= 1 && k <= samplesPerPrompt).Distinct().Order()
            .ToDictionary(k => k, k => PassAtK.Mean(counts, k));
        return new EvaluationResult(prompts.Count, samplesPerPrompt, PassAtK.Mean(counts, 1), passAtK,
            rewardSum / (prompts.Count * samplesPerPrompt), watch.Elapsed.TotalSeconds);
    }
}
