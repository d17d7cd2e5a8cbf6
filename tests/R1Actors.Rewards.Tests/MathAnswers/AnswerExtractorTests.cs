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

    [Theory]
    [InlineData("-\\frac{10}{9}", "-\\frac{10}{9}")]
    [InlineData("1 000", "1 000")]
    [InlineData("x+1", "x+1")]
    [InlineData("Answer 9", "9")]
    [InlineData("it is .4", ".4")]
    [InlineData("so the number is 10 which is 1,000.99m²", "1,000.99")]
    [InlineData("Answer \\( (9+1) \\)", "(9+1)")]
    [InlineData("Answer $$ \n 9 \n $$", "9")]
    [InlineData("Answer \\[ \n 9 \n \\]", "9")]
    [InlineData("Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $", "\\frac{1}{2} \\$ = \\frac{10}{9}")]
    [InlineData("so $d = \\frac{90}{n}$. Therefore there are 12 sequences", "12")]
    [InlineData("so $d = \\frac{90}{n}$ for 12 of them", "d = \\frac{90}{n}")]
    public void Last_resort_reads_a_bare_answer_math_spans_and_numbers_as_written(string text, string expected)
    {
        Assert.Equal(expected, AnswerExtractor.Extract(text, lastResort: true)!.Text);
    }

    [Theory]
    [InlineData("Answer $ \n 9 \n $")]
    [InlineData("Answer \\( \n 9 \n \\)")]
    public void Inline_math_broken_across_lines_is_no_answer(string text)
    {
        Assert.Null(AnswerExtractor.Extract(text, lastResort: true));
    }

    [Theory]
    [InlineData("Final Answer: The largest $n$ is 34.", "34")]
    [InlineData("Final Answer: Jane started growing Sphere 3 hours ago.", "3")]
    [InlineData("The final answer is $x=2$ or $x=3$.", "x=2, x=3")]
    [InlineData("The final answer is \"$12 $ and $13 $\".", "12 , 13")]
    [InlineData("The final answer is 2x+3.", "2x+3")]
    [InlineData("The answer is 5 and 7.", "5 and 7")]
    [InlineData("so it is \\boxed{255}. Then $10,455. Final Answer: The final answer is $10,455$.", "10,455")]
    [InlineData("The final answer is \\boxed{5}.", "5")]
    [InlineData("\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).", "1, -2")]
    [InlineData("\\( y_1 = \\boxed{x+1} \\) and \\( y_2 = \\boxed{x-1} \\)", "x+1, x-1")]
    [InlineData("\\boxed{1} papers and \\boxed{2} bins", "1, 2")]
    [InlineData("\\boxed{1} no no no no no \\boxed{2}", "2")]
    public void Stated_answers_are_read_as_a_grader_reads_them(string text, string expected)
    {
        Assert.Equal(expected, AnswerExtractor.Extract(text, lastResort: false)!.Text);
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
