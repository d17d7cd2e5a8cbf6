using R1Actors.Training.Batches;
using R1Actors.Training.Loss;

namespace R1Actors.Training.Advantages;

/// <summary>What <see cref="DynamicSamplingBatcher.Offer"/> did with a group.</summary>
public enum GroupVerdict
{
    /// <summary>The group is in the batch being filled.</summary>
    Accepted,

    /// <summary>All its rewards were equal and dynamic sampling dropped it; sample another prompt in its place.</summary>
    Discarded,
}

/// <summary>
/// Fills training batches of B groups for the learner. With dynamic sampling (DAPO) on, a group whose rewards
/// are all equal — after the truncation policy has shaped them, exactly as the learner will see them — is
/// dropped and counted, so every trained group carries a signal. To keep a run alive when the policy
/// solves or fails everything, at most <c>maxDiscardedPerBatch</c> groups are dropped per batch; after that
/// zero-signal groups are accepted. With dynamic sampling off, every group is accepted (and zero-signal
/// groups are still counted by the learner's <c>frac_reward_zero_std</c>).
/// Not thread-safe: one pipeline stage owns it.
/// </summary>
public sealed class DynamicSamplingBatcher
{
    private readonly int _groupsPerBatch;
    private readonly bool _enabled;
    private readonly int _maxDiscardedPerBatch;
    private readonly ITruncationPolicy _truncation;
    private List<ScoredGroup> _groups = [];
    private int _discarded;

    public DynamicSamplingBatcher(int groupsPerBatch, bool enabled, int maxDiscardedPerBatch, ITruncationPolicy truncation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupsPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDiscardedPerBatch);
        _groupsPerBatch = groupsPerBatch;
        _enabled = enabled;
        _maxDiscardedPerBatch = maxDiscardedPerBatch;
        _truncation = truncation;
    }

    /// <summary>Groups still needed before the batch is full.</summary>
    public int Missing => _groupsPerBatch - _groups.Count;

    public bool IsFull => Missing == 0;

    /// <summary>Zero-signal groups dropped while filling the current batch.</summary>
    public int Discarded => _discarded;

    /// <summary>
    /// Continues a batch (of a resumed run) from which <paramref name="discarded"/> groups were already dropped; a
    /// limit lowered since then is honoured as it is now.
    /// </summary>
    public void ResumeDiscarded(int discarded) => _discarded = Math.Clamp(discarded, 0, _maxDiscardedPerBatch);

    public GroupVerdict Offer(ScoredGroup group)
    {
        if (IsFull)
            throw new InvalidOperationException("the batch is full; take it before offering more groups");
        if (_enabled && _discarded < _maxDiscardedPerBatch && CarriesNoSignal(group))
        {
            _discarded++;
            return GroupVerdict.Discarded;
        }
        _groups.Add(group);
        return GroupVerdict.Accepted;
    }

    /// <summary>The full batch, with the count of groups dropped to fill it; starts the next batch.</summary>
    public TrainingBatch Take()
    {
        if (!IsFull)
            throw new InvalidOperationException($"the batch still needs {Missing} groups");
        var batch = new TrainingBatch(_groups, _discarded);
        _groups = [];
        _discarded = 0;
        return batch;
    }

    private bool CarriesNoSignal(ScoredGroup group) =>
        GroupStatistics.IsZeroSignal(group.Completions.Select(c => _truncation.ShapeReward(c.Reward, c.Truncated)).ToArray());
}
