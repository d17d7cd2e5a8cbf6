using R1Actors.Rewards.Format;

namespace R1Actors.Rewards;

/// <summary>
/// One task kind's reward: its answer component and the format component, weighted. A component with
/// weight 0 is not computed at all (and does not appear in the components).
/// </summary>
/// <example>weights (1, 0.1): a right answer in the wrong layout scores 1.0 with components {answer: 1, format: 0}.</example>
public sealed class WeightedReward(IRewardFunction? answer, FormatReward format, TaskWeights weights) : IRewardFunction
{
    public async ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken)
    {
        var components = new Dictionary<string, double>();
        var reasons = new List<string>();
        var score = 0.0;
        if (answer is not null && weights.Answer > 0)
        {
            var outcome = await answer.ScoreAsync(task, completion, cancellationToken).ConfigureAwait(false);
            Add(outcome, weights.Answer);
        }
        if (weights.Format > 0) Add(format.Score(completion), weights.Format);
        return new RewardOutcome(score, components, reasons.Count == 0 ? null : string.Join("; ", reasons));

        void Add(RewardOutcome outcome, double weight)
        {
            foreach (var (name, value) in outcome.Components) components[name] = value;
            score += weight * outcome.Score;
            if (outcome.Reason is not null) reasons.Add(outcome.Reason);
        }
    }
}
