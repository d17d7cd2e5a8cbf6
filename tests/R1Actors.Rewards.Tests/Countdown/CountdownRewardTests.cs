using R1Actors.Rewards.Countdown;
using R1Actors.Rewards.Exact;

namespace R1Actors.Rewards.Tests.Countdown;

public sealed class CountdownRewardTests
{
    private static readonly TaskSpec Task = new("countdown", Fields.Of(("numbers", new[] { 3, 5, 7 }), ("target", 22)));

    [Theory]
    [InlineData("<answer>3 * 5 + 7</answer>", 1)]
    [InlineData("<answer>(7 + 3) * 5 - 28</answer>", 0)]
    [InlineData("<answer>7 + 5 * 3</answer>", 1)]
    [InlineData("<answer>3 \\times 5 + 7 = 22</answer>", 1)]
    [InlineData("<answer>3 * 5 + 7 + 0</answer>", 0)]
    [InlineData("<answer>3 * 5 * 7</answer>", 0)]
    [InlineData("<answer>5 * 3 + 7 - 3 + 3</answer>", 0)]
    [InlineData("<answer>3 * 5</answer>", 0)]
    [InlineData("<answer>__import__('os')</answer>", 0)]
    [InlineData("<answer>3 * (5 + 7</answer>", 0)]
    [InlineData("3 * 5 + 7", 0)]
    public void Expression_scores_only_when_it_uses_each_number_once_and_hits_the_target(string completion, double expected)
    {
        var outcome = CountdownReward.Score(Task, completion);
        Assert.True(expected == outcome.Score, outcome.Reason);
        Assert.Equal(expected < 1, outcome.Reason is not null);
    }

    [Fact]
    public void Division_is_exact_and_division_by_zero_scores_zero()
    {
        var task = new TaskSpec("countdown", Fields.Of(("numbers", new[] { 6, 4, 4 }), ("target", 6)));
        Assert.Equal(1, CountdownReward.Score(task, "<answer>6 / 4 * 4</answer>").Score);
        var zero = new TaskSpec("countdown", Fields.Of(("numbers", new[] { 6, 4, 4 }), ("target", 6)));
        Assert.Contains("divides by zero", CountdownReward.Score(zero, "<answer>6 / (4 - 4)</answer>").Reason);
    }

    [Fact]
    public void Broken_task_fields_score_zero_with_the_field_named()
    {
        var outcome = CountdownReward.Score(new TaskSpec("countdown", Fields.Of(("numbers", "3,5"))), "<answer>3+5</answer>");
        Assert.Contains("numbers", outcome.Reason);
    }

    [Theory]
    [InlineData("<answer>003</answer>", "003", 1)]
    [InlineData("<answer>3</answer>", "003", 0)]
    [InlineData("<answer> 003 \n</answer>", "003", 1)]
    [InlineData("<answer>3.0</answer>", "3", 0)]
    public void Exact_answers_compare_character_for_character(string completion, string reference, double expected)
    {
        var outcome = new ExactReward(lastResortExtraction: true).Score(new TaskSpec("exact", Fields.Of(("reference", reference))), completion);
        Assert.Equal(expected, outcome.Score);
    }

    [Theory]
    [InlineData("7+8=15,5+6+1=12,4+9+1=14,>5241", 1)]
    [InlineData(">5241", 1)]                                        // the work is not judged, only the outcome
    [InlineData("7+8=15,>52>5241 ", 1)]                             // the last marker counts
    [InlineData("7+8=15,5+6+1=12,4+9+1=14,>524", 0)]
    [InlineData("7+8=15,5+6+1=12,4+9+1=14,5241", 0)]                // no marker, no answer
    public void With_answer_after_the_answer_is_what_follows_the_last_marker(string completion, double expected)
    {
        var task = new TaskSpec("exact", Fields.Of(("reference", "5241"), ("answer_after", ">")));
        var outcome = new ExactReward(lastResortExtraction: true).Score(task, completion);
        Assert.Equal(expected, outcome.Score);
        if (expected == 0)
            Assert.False(string.IsNullOrEmpty(outcome.Reason));
    }
}

