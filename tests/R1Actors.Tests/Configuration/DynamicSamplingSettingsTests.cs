using System.Text.Json;
using R1Actors.Configuration;
using R1Actors.Training.Configuration;

namespace R1Actors.Tests.Configuration;

public sealed class DynamicSamplingSettingsTests
{
    private static ScoredGroup Group(params double[] rewards)
    {
        var prompt = new IssuedPrompt(0, new PromptCursor(0, 0), new Prompt("p0", new TextPrompt("1+1"), new TaskSpec(TaskKinds.Exact, new Dictionary<string, JsonElement>())));
        return new ScoredGroup(prompt, [.. rewards.Select((r, i) => new ScoredRollout(
            new Rollout(prompt, i, [1], [2, 3], "", [-1f, -1f], 0, FinishReason.Stop, "cpu"),
            new RewardOutcome(r, new Dictionary<string, double> { [RewardComponents.Answer] = r }, null), TimeSpan.Zero))]);
    }

    private static IGroupFilter Filter(params string[] sets) =>
        TrainingStrategies.GroupFilter(R1Settings.Load(null, sets).Settings.Training.Algorithm);

    [Fact]
    public void Groups_without_signal_are_left_out_up_to_the_configured_limit_per_step()
    {
        var filter = Filter("r1.training.algorithm.dynamic-sampling=true", "r1.training.algorithm.max-discarded-groups=2");
        Assert.True(filter.MayLeaveOut);
        Assert.False(filter.Keep(Group(1, 1, 1), leftOutInStep: 0));     // all right: no signal
        Assert.False(filter.Keep(Group(0, 0, 0), leftOutInStep: 1));     // all wrong: no signal
        Assert.True(filter.Keep(Group(0, 0, 0), leftOutInStep: 2));      // the limit of 2 is reached: kept so the step can fill
        Assert.True(filter.Keep(Group(1, 0, 1), leftOutInStep: 2));
        Assert.False(filter.Keep(Group(0, 0, 0), leftOutInStep: 0));     // the next step starts afresh

        var lowered = Filter("r1.training.algorithm.dynamic-sampling=true", "r1.training.algorithm.max-discarded-groups=1");
        Assert.True(lowered.Keep(Group(0, 0, 0), leftOutInStep: 3));     // counted under a higher limit: the lower one holds
    }

    [Fact]
    public void Without_dynamic_sampling_every_group_is_kept()
    {
        var filter = Filter("r1.training.algorithm.dynamic-sampling=false");
        Assert.False(filter.MayLeaveOut);
        Assert.True(filter.Keep(Group(0, 0, 0), leftOutInStep: 0));
    }
}
