using R1Actors.Training.Advantages;
using R1Actors.Training.Batches;
using R1Actors.Training.Loss;

namespace R1Actors.Training.Learning;

/// <summary>One completion ready for the loss: its advantage and the aggregation weight of each of its tokens.</summary>
internal sealed record TrainingSample(
    IReadOnlyList<int> PromptIds,
    IReadOnlyList<int> CompletionIds,
    IReadOnlyList<float> BehaviourLogProbs,
    double Advantage,
    double TokenWeight)
{
    public int Length => PromptIds.Count + CompletionIds.Count;
}

/// <summary>What was sampled, before any gradient: the rollout half of the step's metrics.</summary>
internal sealed record RolloutStatistics(
    int Groups,
    int Completions,
    int ZeroSignalGroups,
    int DiscardedZeroSignalGroups,
    double RewardMean,
    double RewardStd,
    double Accuracy,
    double LengthMean,
    int LengthMax,
    int LengthMin,
    double TruncatedFraction,
    double AdvantageAbsMean,
    double Staleness,
    long StalenessMax);

internal sealed record PreparedBatch(IReadOnlyList<TrainingSample> Samples, RolloutStatistics Rollouts);

/// <summary>
/// Turns scored groups into training samples: shapes the rewards of truncated completions, computes each
/// group's advantages, drops what the truncation policy masks, and gives every kept token its aggregation
/// weight over the whole step. Checks the input and says which group and completion is malformed.
/// </summary>
internal sealed class BatchPreparation(IAdvantageEstimator estimator, ITruncationPolicy truncation, ILossAggregation aggregation)
{
    public PreparedBatch Prepare(TrainingBatch batch, long currentVersion)
    {
        Validate(batch);
        var kept = new List<(ScoredGroup Group, ScoredCompletion Completion, double Advantage)>();
        var zeroSignal = 0;
        foreach (var group in batch.Groups)
        {
            var shaped = group.Completions.Select(c => truncation.ShapeReward(c.Reward, c.Truncated)).ToArray();
            if (GroupStatistics.IsZeroSignal(shaped))
                zeroSignal++;
            var advantages = estimator.Compute(shaped);
            for (var i = 0; i < advantages.Length; i++)
            {
                var completion = group.Completions[i];
                if (truncation.Trains(completion.Truncated))
                    kept.Add((group, completion, advantages[i]));
            }
        }
        var weights = aggregation.TokenWeights(kept.Select(k => k.Completion.CompletionIds.Count).ToArray());
        var samples = kept
            .Select((k, i) => new TrainingSample(k.Group.PromptIds, k.Completion.CompletionIds, k.Completion.BehaviourLogProbs, k.Advantage, weights[i]))
            .ToArray();
        return new PreparedBatch(samples, Statistics(batch, zeroSignal, samples, currentVersion));
    }

    private static RolloutStatistics Statistics(TrainingBatch batch, int zeroSignal, TrainingSample[] samples, long currentVersion)
    {
        var completions = batch.Groups.SelectMany(g => g.Completions).ToArray();
        var lengths = completions.Select(c => c.CompletionIds.Count).ToArray();
        var staleness = completions.Select(c => currentVersion - c.PolicyVersion).ToArray();
        return new RolloutStatistics(
            Groups: batch.Groups.Count,
            Completions: completions.Length,
            ZeroSignalGroups: zeroSignal,
            DiscardedZeroSignalGroups: batch.DiscardedZeroSignalGroups,
            RewardMean: completions.Average(c => c.Reward),
            RewardStd: batch.Groups.Average(g => GroupStatistics.SampleStd(g.Completions.Select(c => c.Reward).ToArray())),
            Accuracy: completions.Average(c => c.Correct ? 1.0 : 0.0),
            LengthMean: lengths.Average(),
            LengthMax: lengths.Max(),
            LengthMin: lengths.Min(),
            TruncatedFraction: completions.Average(c => c.Truncated ? 1.0 : 0.0),
            AdvantageAbsMean: samples.Length == 0 ? 0.0 : samples.Average(s => Math.Abs(s.Advantage)),
            Staleness: staleness.Average(),
            StalenessMax: staleness.Max());
    }

    private static void Validate(TrainingBatch batch)
    {
        if (batch.Groups.Count == 0)
            throw new ArgumentException("a training batch needs at least one group", nameof(batch));
        for (var g = 0; g < batch.Groups.Count; g++)
        {
            var group = batch.Groups[g];
            if (group.PromptIds.Count == 0)
                throw new ArgumentException($"group {g}: the prompt has no tokens (the first completion token needs a prompt token to be predicted from)", nameof(batch));
            if (group.Completions.Count == 0)
                throw new ArgumentException($"group {g}: no completions", nameof(batch));
            for (var c = 0; c < group.Completions.Count; c++)
            {
                var completion = group.Completions[c];
                if (completion.BehaviourLogProbs.Count != completion.CompletionIds.Count)
                    throw new ArgumentException(
                        $"group {g}, completion {c}: {completion.CompletionIds.Count} tokens but {completion.BehaviourLogProbs.Count} behaviour log-probs", nameof(batch));
                if (!double.IsFinite(completion.Reward))
                    throw new ArgumentException($"group {g}, completion {c}: reward {completion.Reward} is not a finite number", nameof(batch));
            }
        }
    }
}
