using R1Actors.Training.Advantages;
using R1Actors.Training.Configuration;
using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;

namespace R1Actors.Training.Tests.Advantages;

public class ZeroSignalFilterTests
{
    private static ScoredGroup Group(params double[] rewards) => Groups.Of([1], [.. rewards.Select(r => Groups.Completion([2], r))]);

    [Fact]
    public void Zero_signal_groups_are_left_out_and_groups_with_signal_kept()
    {
        var filter = new ZeroSignalFilter(maxLeftOutPerStep: 10, new KeepTruncated());
        Assert.False(filter.Keep(Group(1, 1, 1), leftOutInStep: 0));
        Assert.True(filter.Keep(Group(1, 0, 1), leftOutInStep: 1));
        Assert.False(filter.Keep(Group(0, 0, 0), leftOutInStep: 1));
        Assert.True(filter.Keep(Group(0, 0.5, 0), leftOutInStep: 2));
    }

    [Fact]
    public void After_the_limit_zero_signal_groups_are_kept_so_the_run_never_starves()
    {
        var filter = new ZeroSignalFilter(maxLeftOutPerStep: 1, new KeepTruncated());
        Assert.False(filter.Keep(Group(1, 1), leftOutInStep: 0));
        Assert.True(filter.Keep(Group(1, 1), leftOutInStep: 1));
        Assert.True(filter.Keep(Group(0, 0), leftOutInStep: 5));     // a resumed step counted under a higher limit
    }

    [Fact]
    public void Signal_is_judged_on_rewards_as_the_truncation_policy_shapes_them()
    {
        var group = Groups.Of([1], [Groups.Completion([2], 0.0, truncated: true), Groups.Completion([3], 0.0)]);
        Assert.False(new ZeroSignalFilter(5, new KeepTruncated()).Keep(group, 0));
        Assert.True(new ZeroSignalFilter(5, new PenaliseTruncated(1.0)).Keep(group, 0));
    }

    [Fact]
    public void A_filter_says_whether_it_may_leave_groups_out()
    {
        Assert.True(new ZeroSignalFilter(3, new KeepTruncated()).MayLeaveOut);
        Assert.False(new ZeroSignalFilter(0, new KeepTruncated()).MayLeaveOut);
        Assert.False(KeepEveryGroup.Instance.MayLeaveOut);
    }

    [Fact]
    public void The_settings_choose_the_filter_dynamic_sampling_off_keeps_every_group()
    {
        var on = new AlgorithmSettings("grpo", 1e-6, 0.2, 0.28, 0.0, 0.0, "token-mean", 1, "penalise", 1.0, DynamicSampling: true, MaxDiscardedGroups: 4);
        var truncatedOnce = Groups.Of([1], [Groups.Completion([2], 0.0, truncated: true), Groups.Completion([3], 0.0)]);

        var filter = TrainingStrategies.GroupFilter(on);
        Assert.True(filter.MayLeaveOut);
        Assert.False(filter.Keep(Group(1, 1), 0));
        Assert.True(filter.Keep(Group(1, 1), 4));
        Assert.True(filter.Keep(truncatedOnce, 0));                  // the configured truncation penalty makes a signal
        var off = TrainingStrategies.GroupFilter(on with { DynamicSampling = false });
        Assert.False(off.MayLeaveOut);
        Assert.True(off.Keep(Group(1, 1), 0));
    }
}
