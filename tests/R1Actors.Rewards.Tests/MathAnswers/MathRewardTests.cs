using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Tests.MathAnswers;

public sealed class MathRewardTests
{
    [Fact]
    public void Right_answer_in_answer_tags_scores_one_against_a_gsm8k_solution()
    {
        var reward = new MathReward(new MathSettings());
        var task = new TaskSpec("math", Fields.Of(("reference", "Natalia sold 48 + 24 = 72 clips.\n#### 72")));
        var outcome = reward.Score(task, "<think>48 + 24</think> <answer>72</answer>");
        Assert.Equal(1, outcome.Score);
        Assert.Null(outcome.Reason);
    }

    [Theory]
    [InlineData("2, 3", "\\boxed{3}, \\boxed{2}", 1)]
    [InlineData("x = 2 \\text{ or } x = 3", "<answer>\\boxed{2} and \\boxed{3}</answer>", 1)]
    [InlineData("\\boxed{2}, \\boxed{3}", "\\boxed{3}, \\boxed{2}", 1)]
    [InlineData("2, 3", "\\boxed{2}, \\boxed{4}", 0)]
    [InlineData("2, 3", "\\boxed{2}, \\boxed{3}, \\boxed{4}", 0)]
    [InlineData("3", "\\boxed{3}, \\boxed{2}", 0)]
    [InlineData("(2, 3)", "\\boxed{3}, \\boxed{2}", 0)]
    [InlineData("2, 3", "\\boxed{2} then we get \\boxed{3}", 0)]
    public void Several_boxes_are_one_list_of_answers_scored_without_order_against_several_solutions(string reference, string completion, double expected)
    {
        var reward = new MathReward(new MathSettings());
        Assert.Equal(expected, reward.Score(new TaskSpec("math", Fields.Of(("reference", reference))), completion).Score);
    }

    [Theory]
    [InlineData("The final answer is AZYUK2A.")]
    [InlineData("the code is AZYUK2A")]
    public void A_number_inside_a_word_does_not_score_as_that_number(string completion)
    {
        var reward = new MathReward(new MathSettings { LastResortExtraction = true });
        Assert.Equal(0, reward.Score(new TaskSpec("math", Fields.Of(("reference", "2"))), completion).Score);
        Assert.Equal(1, reward.Score(new TaskSpec("math", Fields.Of(("reference", "2"))), "the code is AZYUK, 2").Score);
    }

    [Fact]
    public void Numeric_reference_fields_are_read_as_their_text()
    {
        var reward = new MathReward(new MathSettings());
        Assert.Equal(1, reward.Score(new TaskSpec("math", Fields.Of(("reference", 0.75))), "\\boxed{\\frac34}").Score);
    }

    [Fact]
    public void Unreadable_reference_scores_zero_with_the_reason_and_is_counted()
    {
        var reward = new MathReward(new MathSettings());
        var outcome = reward.Score(new TaskSpec("math", Fields.Of(("reference", "\\frac{1}{"))), "<answer>\\frac{1}{2}</answer>");
        Assert.Equal(0, outcome.Score);
        Assert.Contains("invalid reference", outcome.Reason);
        reward.Score(new TaskSpec("math", Fields.Of(("other", "1"))), "<answer>1</answer>");
        Assert.Equal(2, reward.InvalidReferences);
    }

    [Fact]
    public void Completion_without_an_answer_scores_zero_when_the_last_resort_is_off()
    {
        var reward = new MathReward(new MathSettings { LastResortExtraction = false });
        var outcome = reward.Score(new TaskSpec("math", Fields.Of(("reference", "5"))), "I think it is 5");
        Assert.Equal(0, outcome.Score);
        Assert.Equal("no answer found in the completion", outcome.Reason);
    }

    [Fact]
    public void Numeric_tolerance_is_configurable()
    {
        var loose = new MathEquivalence(new MathSettings { RelativeTolerance = 1e-2 });
        var strict = new MathEquivalence(new MathSettings());
        Assert.True(loose.Compare("3.14", "\\pi").Equal);
        Assert.False(strict.Compare("3.14", "\\pi").Equal);
    }

    [Fact]
    public void Units_are_kept_when_stripping_is_off()
    {
        var keep = new MathEquivalence(new MathSettings { StripUnits = false });
        Assert.False(keep.Compare("5 apples", "5").Equal);
        Assert.True(new MathEquivalence(new MathSettings()).Compare("5 apples", "5").Equal);
    }
}
