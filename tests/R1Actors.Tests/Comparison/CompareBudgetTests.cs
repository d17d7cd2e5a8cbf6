using R1Actors.Cli;
using R1Actors.Comparison;

namespace R1Actors.Tests.Comparison;

public class CompareBudgetTests
{
    [Theory]
    [InlineData("samples=102400", 102400L, null)]
    [InlineData("time=90s", null, 90.0)]
    [InlineData("samples=5000, time=2m", 5000L, 120.0)]
    [InlineData("time=1.5h", null, 5400.0)]
    public void A_budget_is_samples_time_or_both(string text, long? samples, double? seconds)
    {
        var budget = CompareBudget.Parse(text);

        Assert.Equal(samples, budget.Samples);
        Assert.Equal(seconds, budget.Time?.TotalSeconds);
    }

    [Theory]
    [InlineData("samples=0")]
    [InlineData("samples=-5")]
    [InlineData("steps=10")]
    [InlineData("time=10")]
    [InlineData("time=0m")]
    [InlineData("")]
    public void Anything_else_is_a_usage_error_that_shows_the_forms(string text)
    {
        var error = Assert.Throws<UsageException>(() => CompareBudget.Parse(text));

        Assert.Contains("samples=", error.Message);
    }

    [Fact]
    public void Arms_are_named_once_each_from_the_known_ones()
    {
        Assert.Equal(["grpo", "sft+grpo"], CompareArms.Parse("grpo, sft+grpo").Select(a => a.Name));
        Assert.Contains("\"ppo\" is not an arm", Assert.Throws<UsageException>(() => CompareArms.Parse("grpo,ppo")).Message);
        Assert.Throws<UsageException>(() => CompareArms.Parse("grpo,grpo"));
    }
}
