using R1Actors.Training.Advantages;
using R1Actors.Training.Loss;
using R1Actors.Training.Objectives;

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
    int RefusedGroups,
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
/// Turns scored groups into training samples: shapes the rewards of truncated completions, asks the objective
/// which completions of each group train and with what advantage, drops what the truncation policy masks, and gives every kept token its aggregation
/// weight over the whole step. Groups whose prompt a sampler refused (<see cref="FinishReason.Refused"/>: nothing
/// was sampled) are counted and left out of the samples and of the rollout figures. Checks the input and says
/// which group and completion is malformed.
/// </summary>
internal sealed class BatchPreparation(ITrainingObjective objective, ITruncationPolicy truncation, ILossAggregation aggregation)
{
    public PreparedBatch Prepare(LearnerBatch batch, long currentVersion)
    {
        Validate(batch);
        var groups = batch.Groups.Where(g => !g.Completions.Any(c => c.Rollout.Refused)).ToArray();
        var kept = new List<(ScoredGroup Group, ScoredRollout Completion, double Advantage)>();
        var zeroSignal = 0;
        foreach (var group in groups)
        {
            var shaped = group.Completions.Select(c => truncation.ShapeReward(c.Reward.Score, c.Rollout.Truncated)).ToArray();
            if (GroupStatistics.IsZeroSignal(shaped))
                zeroSignal++;
            var advantages = objective.Advantages(group, shaped);
            for (var i = 0; i < advantages.Length; i++)
            {
                var completion = group.Completions[i];
                if (advantages[i] is { } advantage && truncation.Trains(completion.Rollout.Truncated))
                    kept.Add((group, completion, advantage));
            }
        }
        var weights = aggregation.TokenWeights(kept.Select(k => k.Completion.Rollout.CompletionTokenIds.Count).ToArray());
        var samples = kept
            .Select((k, i) => new TrainingSample(k.Group.PromptTokenIds, k.Completion.Rollout.CompletionTokenIds, k.Completion.Rollout.BehaviourLogProbs, k.Advantage, weights[i]))
            .ToArray();
        var statistics = Statistics(groups, zeroSignal, samples, currentVersion) with
        {
            RefusedGroups = batch.Groups.Count - groups.Length,
            DiscardedZeroSignalGroups = batch.DiscardedGroups,
        };
        return new PreparedBatch(samples, statistics);
    }

    /// <summary>The figures of the groups that were sampled; all zero when there are none (every prompt refused).</summary>
    private static RolloutStatistics Statistics(ScoredGroup[] groups, int zeroSignal, TrainingSample[] samples, long currentVersion)
    {
        var completions = groups.SelectMany(g => g.Completions).ToArray();
        var lengths = completions.Select(c => c.Rollout.CompletionTokenIds.Count).DefaultIfEmpty().ToArray();
        var staleness = completions.Select(c => currentVersion - c.Rollout.PolicyVersion).DefaultIfEmpty().ToArray();
        return new RolloutStatistics(
            Groups: groups.Length,
            RefusedGroups: 0,
            Completions: completions.Length,
            ZeroSignalGroups: zeroSignal,
            DiscardedZeroSignalGroups: 0,
            RewardMean: completions.Select(c => c.Reward.Score).DefaultIfEmpty().Average(),
            RewardStd: groups.Select(g => GroupStatistics.SampleStd(g.Completions.Select(c => c.Reward.Score).ToArray())).DefaultIfEmpty().Average(),
            Accuracy: completions.Select(c => c.Reward.Correct ? 1.0 : 0.0).DefaultIfEmpty().Average(),
            LengthMean: lengths.Average(),
            LengthMax: lengths.Max(),
            LengthMin: lengths.Min(),
            TruncatedFraction: completions.Select(c => c.Rollout.Truncated ? 1.0 : 0.0).DefaultIfEmpty().Average(),
            AdvantageAbsMean: samples.Length == 0 ? 0.0 : samples.Average(s => Math.Abs(s.Advantage)),
            Staleness: staleness.Average(),
            StalenessMax: staleness.Max());
    }

    private static void Validate(LearnerBatch batch)
    {
        if (batch.Groups.Count == 0)
            throw new ArgumentException("a training batch needs at least one group", nameof(batch));
        for (var g = 0; g < batch.Groups.Count; g++)
        {
            var group = batch.Groups[g];
            if (group.Completions.Count == 0)
                throw new ArgumentException($"group {g}: no completions", nameof(batch));
            if (group.PromptTokenIds.Count == 0)
                throw new ArgumentException($"group {g}: the prompt has no tokens (the first completion token needs a prompt token to be predicted from)", nameof(batch));
            for (var c = 0; c < group.Completions.Count; c++)
            {
                var (rollout, reward) = (group.Completions[c].Rollout, group.Completions[c].Reward.Score);
                if (rollout.BehaviourLogProbs.Count != rollout.CompletionTokenIds.Count)
                    throw new ArgumentException(
                        $"group {g}, completion {c}: {rollout.CompletionTokenIds.Count} tokens but {rollout.BehaviourLogProbs.Count} behaviour log-probs", nameof(batch));
                if (!double.IsFinite(reward))
                    throw new ArgumentException($"group {g}, completion {c}: reward {reward} is not a finite number", nameof(batch));
            }
        }
    }
}
