using R1Actors.Training.Loss;

namespace R1Actors.Training.Advantages;

/// <summary>
/// DAPO's dynamic sampling: a group whose rewards are all equal — after the truncation policy has shaped them,
/// exactly as the loss will see them — carries no signal and is left out of the step (the pipeline samples
/// another prompt in its place). To keep a run alive when the policy solves or fails everything, at most
/// <c>maxLeftOutPerStep</c> groups are left out per step; after that zero-signal groups are kept (and counted
/// by the learner's <c>FracRewardZeroStd</c>). The count of groups left out so far is the pipeline's, passed in,
/// so there is one count, saved once with the pipeline's progress.
/// <example>
/// rewards [1, 1, 1, 1] with 0 of 8 left out so far → leave out; [1, 0, 1, 1] → keep; [0, 0, 0, 0] with 8 of 8
/// already left out → keep.
/// </example>
/// </summary>
public sealed class ZeroSignalFilter : IGroupFilter
{
    private readonly int _maxLeftOutPerStep;
    private readonly ITruncationPolicy _truncation;

    public ZeroSignalFilter(int maxLeftOutPerStep, ITruncationPolicy truncation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLeftOutPerStep);
        _maxLeftOutPerStep = maxLeftOutPerStep;
        _truncation = truncation;
    }

    public bool MayLeaveOut => _maxLeftOutPerStep > 0;

    public bool Keep(ScoredGroup group, int leftOutInStep) =>
        leftOutInStep >= _maxLeftOutPerStep
        || !GroupStatistics.IsZeroSignal([.. group.Completions.Select(c => _truncation.ShapeReward(c.Reward.Score, c.Rollout.Truncated))]);
}
