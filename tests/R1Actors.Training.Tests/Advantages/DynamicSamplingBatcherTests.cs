using R1Actors.Training.Advantages;
using R1Actors.Training.Batches;
using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;

namespace R1Actors.Training.Tests.Advantages;

public class DynamicSamplingBatcherTests
{
    private static ScoredGroup Group(params double[] rewards) =>
        new([1], rewards.Select(r => Groups.Completion([2], r)).ToArray());

    [Fact]
    public void Zero_signal_groups_are_dropped_and_counted_until_the_batch_is_full_of_signal()
    {
        var batcher = new DynamicSamplingBatcher(groupsPerBatch: 2, enabled: true, maxDiscardedPerBatch: 10, new KeepTruncated());
        Assert.Equal(GroupVerdict.Discarded, batcher.Offer(Group(1, 1, 1)));
        Assert.Equal(GroupVerdict.Accepted, batcher.Offer(Group(1, 0, 1)));
        Assert.Equal(GroupVerdict.Discarded, batcher.Offer(Group(0, 0, 0)));
        Assert.Equal(1, batcher.Missing);
        Assert.Equal(GroupVerdict.Accepted, batcher.Offer(Group(0, 0.5, 0)));
        var batch = batcher.Take();
        Assert.Equal(2, batch.Groups.Count);
        Assert.Equal(2, batch.DiscardedZeroSignalGroups);
        Assert.Equal(0, batcher.Discarded);
        Assert.Equal(2, batcher.Missing);
    }

    [Fact]
    public void After_the_discard_limit_zero_signal_groups_are_trained_on_so_the_run_never_starves()
    {
        var batcher = new DynamicSamplingBatcher(groupsPerBatch: 2, enabled: true, maxDiscardedPerBatch: 1, new KeepTruncated());
        Assert.Equal(GroupVerdict.Discarded, batcher.Offer(Group(1, 1)));
        Assert.Equal(GroupVerdict.Accepted, batcher.Offer(Group(1, 1)));
        Assert.Equal(GroupVerdict.Accepted, batcher.Offer(Group(0, 0)));
        Assert.Equal(1, batcher.Take().DiscardedZeroSignalGroups);
    }

    [Fact]
    public void With_dynamic_sampling_off_every_group_is_accepted()
    {
        var batcher = new DynamicSamplingBatcher(groupsPerBatch: 1, enabled: false, maxDiscardedPerBatch: 10, new KeepTruncated());
        Assert.Equal(GroupVerdict.Accepted, batcher.Offer(Group(1, 1)));
        Assert.True(batcher.IsFull);
        Assert.Throws<InvalidOperationException>(() => batcher.Offer(Group(1, 0)));
    }

    [Fact]
    public void Signal_is_judged_on_rewards_as_the_truncation_policy_shapes_them()
    {
        var group = new ScoredGroup([1], [Groups.Completion([2], 0.0, truncated: true), Groups.Completion([3], 0.0)]);
        var keep = new DynamicSamplingBatcher(1, enabled: true, maxDiscardedPerBatch: 5, new KeepTruncated());
        var penalise = new DynamicSamplingBatcher(1, enabled: true, maxDiscardedPerBatch: 5, new PenaliseTruncated(1.0));
        Assert.Equal(GroupVerdict.Discarded, keep.Offer(group));
        Assert.Equal(GroupVerdict.Accepted, penalise.Offer(group));
    }

    [Fact]
    public void Taking_a_batch_that_is_not_full_is_an_error()
    {
        var batcher = new DynamicSamplingBatcher(3, enabled: false, maxDiscardedPerBatch: 0, new KeepTruncated());
        batcher.Offer(Group(1, 0));
        var error = Assert.Throws<InvalidOperationException>(() => batcher.Take());
        Assert.Contains("needs 2 groups", error.Message);
    }
}
