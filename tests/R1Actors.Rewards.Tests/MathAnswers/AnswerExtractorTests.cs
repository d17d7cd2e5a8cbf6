using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Tests.MathAnswers;

public sealed class AnswerExtractorTests
{
    [Theory]
    [InlineData("<think>so 2+2</think> <answer>4</answer>", "4", "answer-tag")]
    [InlineData("<think>x</think><answer>The result is \\boxed{\\frac{1}{2}}</answer>", "\\frac{1}{2}", "answer-tag")]
    [InlineData("so the total is \\boxed{\\frac{\\sqrt{3}}{2}} and done", "\\frac{\\sqrt{3}}{2}", "boxed")]
    [InlineData("first \\boxed{1} then \\boxed{2}", "2", "boxed")]
    [InlineData("so x is \\boxed{1}, \\boxed{2}", "1, 2", "boxed")]
    [InlineData("the roots: \\boxed{1} and \\boxed{-2}; \\boxed{5}", "1, -2, 5", "boxed")]
    [InlineData("<think>t</think><answer>$\\boxed{3}$ \\text{ or } $\\boxed{-1}$</answer>", "3, -1", "answer-tag")]
    [InlineData("\\boxed{\\boxed{1}, \\boxed{2}}", "1, 2", "boxed")]
    [InlineData("answer: \\fbox{7}", "7", "boxed")]
    [InlineData("$\\boxed 5$", "5", "boxed")]
    [InlineData("Natalia sold 48/2 = 24 clips in May.\n#### 72", "72", "hashes")]
    [InlineData("#### 1,000\n", "1,000", "hashes")]
    [InlineData("Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}", "final-answer-phrase")]
    [InlineData("Therefore the answer is 12. That is all.", "12", "final-answer-phrase")]
    public void Marked_answers_are_found(string text, string expected, string source)
    {
        var found = AnswerExtractor.Extract(text, lastResort: false);
        Assert.NotNull(found);
        Assert.Equal(expected, found.Text);
        Assert.Equal(source, found.Source);
    }

    [Fact]
    public void Last_resort_takes_the_last_latex_span_then_the_last_number_only_when_enabled()
    {
        Assert.Null(AnswerExtractor.Extract("we get 3 then 5 apples", lastResort: false));
        Assert.Equal("5", AnswerExtractor.Extract("we get 3 then 5 apples", lastResort: true)!.Text);
        Assert.Equal("x^2", AnswerExtractor.Extract("first $y$ then $x^2$ and 7", lastResort: true)!.Text);
    }

    [Fact]
    public void A_number_inside_a_word_is_not_taken_as_the_last_resort_answer()
    {
        Assert.Null(AnswerExtractor.Extract("the code is AZYUK2A", lastResort: true));
        Assert.Equal("7", AnswerExtractor.Extract("the code is AZYUK2A, so 7 of them", lastResort: true)!.Text);
        Assert.Equal("-3.5", AnswerExtractor.Extract("it falls to -3.5.", lastResort: true)!.Text);
    }

    [Fact]
    public void A_reference_without_markers_is_taken_whole()
    {
        Assert.Equal("3/4", AnswerExtractor.ExtractReference("  3/4 ").Text);
        Assert.Equal("72", AnswerExtractor.ExtractReference("She sold 72 in total.\n#### 72").Text);
        Assert.Equal("\\pi", AnswerExtractor.ExtractReference("$\\boxed{\\pi}$").Text);
    }

    [Fact]
    public void Unbalanced_boxed_yields_no_answer_rather_than_a_guess()
    {
        Assert.Null(AnswerExtractor.Extract("\\boxed{\\frac{1}{2}", lastResort: false));
    }
}
