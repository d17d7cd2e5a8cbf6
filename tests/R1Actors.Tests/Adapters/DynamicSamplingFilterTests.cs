using System.Text.Json;
using R1Actors.Adapters;
using R1Actors.Configuration;
using R1Actors.Pipeline.Contracts;
using R1Actors.Rewards;

namespace R1Actors.Tests.Adapters;

public sealed class DynamicSamplingFilterTests
{
    private static ScoredGroup Group(params double[] rewards)
    {
        var prompt = new IssuedPrompt(0, new PromptCursor(0, 0), new Prompt("p0", new TextPrompt("1+1"), new TaskSpec("exact", new Dictionary<string, JsonElement>())));
        return new ScoredGroup(prompt, [.. rewards.Select((r, i) => new ScoredRollout(
            new Rollout(prompt, i, [1], [2, 3], "", [-1f, -1f], 0, FinishReason.Stop, "cpu"),
            new RewardOutcome(r, new Dictionary<string, double> { [Outcomes.Answer] = r }, null), TimeSpan.Zero))]);
    }

    private static IGroupFilter Filter(params string[] sets) =>
        DynamicSamplingFilter.For(R1Settings.Load(null, sets).Settings.Training, groupsPerStep: 2);

    [Fact]
    public void Groups_without_signal_are_left_out_up_to_the_limit_per_step()
    {
        var filter = Filter("r1.training.algorithm.dynamic-sampling=true", "r1.training.algorithm.max-discarded-groups=2");
        Assert.False(filter.Keep(Group(1, 1, 1)));      // all right: no signal
        Assert.False(filter.Keep(Group(0, 0, 0)));      // all wrong: no signal
        Assert.True(filter.Keep(Group(0, 0, 0)));       // the limit of 2 is reached: kept so the step can fill
        Assert.True(filter.Keep(Group(1, 0, 1)));       // the step is full; the next one starts afresh
        Assert.False(filter.Keep(Group(0, 0, 0)));
        Assert.True(filter.Keep(Group(0, 1, 0)));
    }

    [Fact]
    public void A_resumed_step_keeps_to_the_limit_it_had_already_spent()
    {
        var halfSpent = Filter("r1.training.algorithm.dynamic-sampling=true", "r1.training.algorithm.max-discarded-groups=2");
        halfSpent.ResumeStep(1);
        Assert.False(halfSpent.Keep(Group(0, 0, 0)));   // one of the two left
        Assert.True(halfSpent.Keep(Group(1, 1, 1)));    // the limit is reached

        var lowered = Filter("r1.training.algorithm.dynamic-sampling=true", "r1.training.algorithm.max-discarded-groups=1");
        lowered.ResumeStep(3);                          // saved under a higher limit: the lower one holds
        Assert.True(lowered.Keep(Group(0, 0, 0)));
    }

    [Fact]
    public void Without_dynamic_sampling_every_group_is_kept() =>
        Assert.True(Filter("r1.training.algorithm.dynamic-sampling=false").Keep(Group(0, 0, 0)));
}
