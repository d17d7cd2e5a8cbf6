using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Tests.MathAnswers;

/// <summary>
/// References the grammar cannot read (counted) or decide (values undefined at every test point): an answer written
/// the same way scores 1, anything else 0.
/// </summary>
public sealed class UnreadableReferenceTests
{
    [Theory]
    [InlineData("\\binom{2n}{n}", "\\binom{2n}{n}")]
    [InlineData("\\binom{2n}{n}", "\\dbinom{2n} {n}")]
    [InlineData("\\{x|x=3k,k\\in \\mathbb{Z}\\}", "\\left\\{ x | x = 3k, k \\in \\mathbb Z \\right\\}")]
    [InlineData("A \\oslash B", "A\\oslash B")]
    [InlineData("\\mathrm{gb}", "gb")]
    [InlineData("x \\leqslant \\dfrac{1}{2} \\oslash \\mathrm{y}", "x \\le \\frac12 \\oslash y")]
    public void An_answer_written_like_an_unreadable_reference_scores_one_and_is_not_counted(string reference, string answer)
    {
        var reward = new MathReward(new MathSettings());
        var outcome = reward.Score(Task(reference), $"<answer>{answer}</answer>");
        Assert.Equal(1, outcome.Score);
        Assert.Equal(0, reward.InvalidReferences);
    }

    [Theory]
    [InlineData("\\binom{2n}{n}", "\\binom{2}{nn}", 0)]
    [InlineData("\\binom{2n}{n}", "\\binom{2n}{n+1}", 0)]
    [InlineData("\\{x|x=3k,k\\in \\mathbb{Z}\\}", "\\{x|x=2k,k\\in \\mathbb{Z}\\}", 1)]
    [InlineData("\\{x|x=3k,k\\in \\mathbb{Z}\\}", "\\{x|x=3k,k\\in \\mathbb{N}\\}", 1)]
    [InlineData("A \\oslash B", "B \\oslash A", 1)]
    [InlineData("\\mathrm{gb}", "\\mathrm{mb}", 0)]
    [InlineData("\\mathrm{gb}", "", 0)]
    [InlineData("\\frac{1}{", "\\frac{1}{2}", 1)]
    public void Any_other_answer_against_an_unreadable_reference_scores_zero_and_is_counted(string reference, string answer, long counted)
    {
        var reward = new MathReward(new MathSettings());
        var outcome = reward.Score(Task(reference), $"<answer>{answer}</answer>");
        Assert.Equal(0, outcome.Score);
        Assert.NotNull(outcome.Reason);
        Assert.Equal(counted, reward.InvalidReferences);
    }

    [Fact]
    public void Undecidable_but_identical_answers_are_equal_and_different_ones_are_not()
    {
        var equivalence = new MathEquivalence(new MathSettings());
        Assert.True(equivalence.Compare("\\binom{2n}{n}", "\\binom{2n}{n}").Equal);
        Assert.False(equivalence.Compare("\\binom{2n}{n}", "\\binom{2}{nn}").Equal);
    }

    [Fact]
    public void Spelling_differences_vanish_but_values_stay_distinct()
    {
        Assert.Equal("\\{x\\mid x\\le\\frac12\\}", LatexText.Canonical("\\left\\{ x \\mid x \\leqslant \\dfrac{1}{2} \\right\\}"));
        Assert.False(LatexText.Same("\\frac{1}{23}", "\\frac{1}{2}3"));
        Assert.False(LatexText.Same("x \\le 3", "x < 3"));
        Assert.False(LatexText.Same("[1,2)", "(1,2)"));
    }

    private static TaskSpec Task(string reference) => new("math", Fields.Of(("reference", reference)));
}
