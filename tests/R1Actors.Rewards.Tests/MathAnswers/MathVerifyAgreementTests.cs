using R1Actors.Rewards.MathAnswers;
using Xunit.Abstractions;

namespace R1Actors.Rewards.Tests.MathAnswers;

/// <summary>
/// Our math reward against the labelled cases of Hugging Face's Math-Verify test suite
/// (math-verify-cases.txt): each case's prediction is scored as a completion against its gold as the
/// reference, through <see cref="MathReward"/> exactly as a training run scores it. A wrong answer
/// scored 1 fails the test outright; otherwise at least 95 % of the labels must agree. The figures per
/// source file and every disagreement are printed.
/// </summary>
public sealed class MathVerifyAgreementTests(ITestOutputHelper output)
{
    private const double RequiredAgreement = 0.95;

    /// <summary>One labelled case: its line in the table, Math-Verify's test it comes from, and our score.</summary>
    private sealed record Scored(int Line, string Source, string Completion, string Reference, bool Equal, double Score, string? Reason)
    {
        public bool Agrees => Equal == (Score == 1);
        public override string ToString() =>
            $"line {Line} [{Source}] labelled {(Equal ? "=" : "≠")}, scored {Score}: completion '{Shorten(Completion)}' vs reference '{Shorten(Reference)}'{(Reason is null ? "" : $" ({Shorten(Reason)})")}";
    }

    [Fact]
    public void The_table_holds_the_suite_with_both_kinds_of_label()
    {
        var cases = ScoreAll();
        Assert.True(cases.Count >= 200, $"only {cases.Count} cases");
        Assert.True(cases.Count(c => !c.Equal) >= 30, "fewer than 30 not-equal cases");
        Assert.True(cases.Select(c => c.Source.Split("::")[0]).Distinct().Count() >= 5, "cases from fewer than 5 test files");
    }

    [Fact]
    public void No_wrong_answer_in_math_verify_cases_scores_one()
    {
        var falsePositives = ScoreAll().Where(c => !c.Equal && c.Score == 1).ToList();
        Assert.True(falsePositives.Count == 0, "wrong answers scored 1:\n" + string.Join("\n", falsePositives));
    }

    [Fact]
    public void Agreement_with_math_verify_labels_is_at_least_95_percent()
    {
        var cases = ScoreAll();
        foreach (var file in cases.GroupBy(c => c.Source.Split("::")[0]).OrderBy(g => g.Key))
        {
            output.WriteLine($"{file.Key,-28} {file.Count(c => c.Agrees),4}/{file.Count(),-4} agree ({Percent(file.Count(c => c.Agrees), file.Count())})");
        }
        var agreeing = cases.Count(c => c.Agrees);
        output.WriteLine($"{"all",-28} {agreeing,4}/{cases.Count,-4} agree ({Percent(agreeing, cases.Count)}); false positives: {cases.Count(c => !c.Equal && c.Score == 1)}");
        var disagreements = cases.Where(c => !c.Agrees).ToList();
        foreach (var disagreement in disagreements) output.WriteLine(disagreement.ToString());
        Assert.True(agreeing >= RequiredAgreement * cases.Count,
            $"agreement {Percent(agreeing, cases.Count)} is under {RequiredAgreement:P0}; disagreements:\n" + string.Join("\n", disagreements));
    }

    private static List<Scored> ScoreAll()
    {
        var reward = new MathReward(new MathSettings());
        var path = Path.Combine(AppContext.BaseDirectory, "MathAnswers", "math-verify-cases.txt");
        var scored = new List<Scored>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.StartsWith('#') || line.Length == 0) continue;
            var parts = line.Split('⟂');
            if (parts.Length != 4) throw new FormatException($"{path}:{lineNumber}: expected 'completion ⟂ reference ⟂ =|≠ ⟂ source'");
            var completion = Unescape(parts[0].Trim());
            var reference = Unescape(parts[1].Trim());
            var outcome = reward.Score(new TaskSpec("math", Fields.Of(("reference", reference))), completion);
            scored.Add(new Scored(lineNumber, parts[3].Trim(), completion, reference, parts[2].Trim() == "=", outcome.Score, outcome.Reason));
        }
        return scored;
    }

    /// <summary>The table writes a newline ⏎ and a tab ⇥ so that each case stays on one line.</summary>
    private static string Unescape(string field) => field.Replace('⏎', '\n').Replace('⇥', '\t');

    private static string Percent(int part, int whole) => $"{100.0 * part / whole:F1} %";

    private static string Shorten(string text)
    {
        var flat = text.Replace('\n', '⏎');
        return flat.Length <= 160 ? flat : flat[..70] + " … " + flat[^70..];
    }
}
