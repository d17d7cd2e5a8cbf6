using System.Text.Json;

namespace R1Actors.Core.Tests;

public class RolloutTests
{
    private static readonly IssuedPrompt Prompt =
        new(7, new PromptCursor(0, 7), new Prompt("p7", new TextPrompt("2+2"), new TaskSpec(TaskKinds.Exact, new Dictionary<string, JsonElement>())));

    private static ScoredRollout Scored(long version, FinishReason finish, double answer) =>
        new(new Rollout(Prompt, 0, [1, 2], [3, 4], "4", [-0.5f, -0.5f], version, finish, "cpu"),
            new RewardOutcome(answer, new Dictionary<string, double> { [RewardComponents.Answer] = answer, [RewardComponents.Format] = 1 }, null),
            TimeSpan.Zero);

    [Fact]
    public void A_completion_is_correct_only_with_full_marks_on_its_answer_whatever_its_format()
    {
        Assert.True(Scored(0, FinishReason.Stop, 1.0).Reward.Correct);
        Assert.False(Scored(0, FinishReason.Stop, 0.75).Reward.Correct);          // code: three tests of four
        Assert.False(new RewardOutcome(1.0, new Dictionary<string, double> { [RewardComponents.Format] = 1 }, null).Correct);
    }

    [Fact]
    public void A_group_is_as_old_as_its_oldest_completion_and_shares_its_prompt_tokens()
    {
        var group = new ScoredGroup(Prompt, [Scored(5, FinishReason.Stop, 1), Scored(3, FinishReason.Length, 0)]);

        Assert.Equal(3, group.OldestPolicyVersion);
        Assert.Equal([1, 2], group.PromptTokenIds);
        Assert.Equal([false, true], group.Completions.Select(c => c.Rollout.Truncated));
        Assert.Empty(new ScoredGroup(Prompt, []).PromptTokenIds);
    }

    [Fact]
    public void Keep_every_group_keeps_every_group_and_says_it_never_leaves_one_out()
    {
        Assert.False(KeepEveryGroup.Instance.MayLeaveOut);
        Assert.True(KeepEveryGroup.Instance.Keep(new ScoredGroup(Prompt, [Scored(0, FinishReason.Stop, 1)]), leftOutInStep: 100));
    }
}
