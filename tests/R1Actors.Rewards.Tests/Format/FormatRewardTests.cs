using R1Actors.Rewards.Format;

namespace R1Actors.Rewards.Tests.Format;

public sealed class FormatRewardTests
{
    private static FormatReward Rule(string name, bool promptOpensThink = false) => new(FormatReward.RuleNamed(name)!, promptOpensThink);

    [Theory]
    [InlineData("strict", "<think>a</think> <answer>1</answer>", 1)]
    [InlineData("strict", "  <think>a</think>\n<answer>1</answer>\n", 1)]
    [InlineData("strict", "Sure! <think>a</think> <answer>1</answer>", 0)]
    [InlineData("standard", "Sure! <think>a</think> <answer>1</answer>", 1)]
    [InlineData("standard", "<think>a</think> so <answer>1</answer>", 0)]
    [InlineData("lenient", "<think>a</think> so <answer>1</answer>", 1)]
    [InlineData("lenient", "<think>a</think> <answer>1</answer> extra", 0)]
    [InlineData("standard", "<think></think> <answer>1</answer>", 0)]
    [InlineData("lenient", "<think>a</think> <answer> </answer>", 0)]
    [InlineData("standard", "<answer>1</answer>", 0)]
    [InlineData("standard", "<think>a</think>", 0)]
    public void Layout_scores_as_the_strictness_demands(string strictness, string completion, double expected)
    {
        Assert.Equal(expected, Rule(strictness).Score(completion).Score);
    }

    [Theory]
    [InlineData("<think>a</think> <answer>1</answer> <answer>2</answer>")]
    [InlineData("<think>a</think> <think>b</think> <answer>1</answer>")]
    [InlineData("<think>a <think>b</think> c</think> <answer>1</answer>")]
    [InlineData("<answer>1</answer> <think>a</think>")]
    [InlineData("<think>a <answer>1</answer></think>")]
    public void Repeated_or_nested_tags_score_zero_at_every_strictness(string completion)
    {
        foreach (var name in new[] { "strict", "standard", "lenient" })
        {
            var outcome = Rule(name).Score(completion);
            Assert.Equal(0, outcome.Score);
            Assert.NotNull(outcome.Reason);
        }
    }

    [Fact]
    public void A_prompt_that_opens_the_think_block_counts_as_its_opening_tag()
    {
        Assert.Equal(1, Rule("strict", promptOpensThink: true).Score("a</think> <answer>1</answer>").Score);
        Assert.Equal(0, Rule("strict", promptOpensThink: true).Score("<think>a</think> <answer>1</answer>").Score);
    }

    [Fact]
    public void Unknown_strictness_names_have_no_rule()
    {
        Assert.Null(FormatReward.RuleNamed("loose"));
    }
}
