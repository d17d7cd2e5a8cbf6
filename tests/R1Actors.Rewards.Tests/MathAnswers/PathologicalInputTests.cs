using System.Diagnostics;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Tests.MathAnswers;

/// <summary>Hostile answers are "not equal" with a reason, quickly; the deadline is the bound, not a speed bar.</summary>
public sealed class PathologicalInputTests
{
    private static readonly MathEquivalence Equivalence = new(new MathSettings());
    // The 200 ms deadline bounds each comparison; this bound only has to tell "bounded" from "runaway" (minutes, or
    // never), with room for a busy 2-core machine where parsing a megabyte can take seconds of wall-clock time.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string> Cases() => new()
    {
        { new string('9', 1_000_000), "longer than" },
        { new string('{', 10_000) + "1" + new string('}', 10_000), "longer than" },
        { string.Concat(Enumerable.Repeat("(", 300)) + "1" + string.Concat(Enumerable.Repeat(")", 300)), "deeper than" },
        { "10^{10^{10}}", "too large" },
        { "9^9^9^9", "too large" },
        { "1e999999999", "too large" },
        { "100000!", "too large" },
        { "2^{2^{2^{2^{2}}}}", "" },
        { string.Join("+", Enumerable.Repeat("x", 900)), "" },
        { string.Concat(Enumerable.Repeat("(1\\pm 1)", 40)), "values from ±" },
        { string.Concat(Enumerable.Repeat("\\frac{1 \\pm 2}{3 \\pm 4}", 20)), "values from ±" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pathological_answer_is_not_equal_with_a_reason_within_bounded_time(string predicted, string reasonFragment)
    {
        var watch = Stopwatch.StartNew();
        var verdict = Equivalence.Compare(predicted, "42");
        watch.Stop();
        Assert.False(verdict.Equal);
        Assert.NotNull(verdict.Reason);
        Assert.Contains(reasonFragment, verdict.Reason);
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_megabyte_completion_is_extracted_and_scored_quickly()
    {
        var completion = new string('x', 1 << 20) + " <answer>" + new string('{', 5_000) + "</answer>";
        var reward = new MathReward(new MathSettings());
        var watch = Stopwatch.StartNew();
        var outcome = reward.Score(new TaskSpec("math", Fields.Of(("reference", "42"))), completion);
        Assert.Equal(0, outcome.Score);
        Assert.NotNull(outcome.Reason);
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("$x$ 12 \\( y ")]
    [InlineData("$$ \\[ 1,2,3 ")]
    [InlineData("Final Answer: the $n$ is 1 ")]
    public void A_megabyte_completion_without_an_answer_marker_is_extracted_quickly(string piece)
    {
        var completion = string.Concat(Enumerable.Repeat(piece, (1 << 20) / piece.Length));
        var reward = new MathReward(new MathSettings());
        var watch = Stopwatch.StartNew();
        var outcome = reward.Score(new TaskSpec("math", Fields.Of(("reference", "42"))), completion);
        Assert.Equal(0, outcome.Score);
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_comparison_past_its_deadline_is_not_equal_with_the_deadline_as_reason()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(50) };
        var slow = new MathEquivalence(new MathSettings { Clock = clock });
        var verdict = slow.Compare(string.Join("+", Enumerable.Repeat("x^2", 200)), "200x^2");
        Assert.False(verdict.Equal);
        Assert.Contains("deadline", verdict.Reason);
        Assert.True(Equivalence.Compare(string.Join("+", Enumerable.Repeat("x^2", 200)), "200x^2").Equal);
    }

    [Fact]
    public void Overflowing_values_on_both_sides_are_never_equal()
    {
        var verdict = Equivalence.Compare("10^{10^{10}}", "10^{10^{10}}");
        Assert.False(verdict.Equal);
        Assert.Contains("too large", verdict.Reason);
    }
}
