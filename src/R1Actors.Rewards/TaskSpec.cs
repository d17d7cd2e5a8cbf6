using System.Text.Json;

namespace R1Actors.Rewards;

/// <summary>
/// What a prompt asks for and how its completions are judged. <see cref="Kind"/> names the reward function
/// (<c>math</c>, <c>countdown</c>, <c>code</c>, <c>format</c>, <c>exact</c>, …); <see cref="Fields"/> carries
/// its data as the dataset wrote it (<c>reference</c>; <c>numbers</c> and <c>target</c>; <c>tests</c>,
/// <c>test_code</c>).
/// </summary>
public sealed record TaskSpec(string Kind, IReadOnlyDictionary<string, JsonElement> Fields);

/// <summary>
/// The verdict on one completion: the total score, its named components (for example <c>format</c> and
/// <c>answer</c>, each 0..1 before weighting) and, for anything short of full marks, the reason.
/// </summary>
public sealed record RewardOutcome(double Score, IReadOnlyDictionary<string, double> Components, string? Reason);

/// <summary>A reward function: never throws for bad input and never hangs; a fault is a score of 0 with a reason.</summary>
public interface IRewardFunction
{
    ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken);
}
