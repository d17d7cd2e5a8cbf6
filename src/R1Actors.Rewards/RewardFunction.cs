namespace R1Actors.Rewards;

/// <summary>A reward function: never throws for bad input and never hangs; a fault is a score of 0 with a reason.</summary>
public interface IRewardFunction
{
    ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken);
}
