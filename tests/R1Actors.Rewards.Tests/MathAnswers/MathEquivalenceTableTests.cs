using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Tests.MathAnswers;

/// <summary>The project's table of answer pairs (equivalence-cases.txt): each line is one case, equal or not.</summary>
public sealed class MathEquivalenceTableTests
{
    private static readonly MathEquivalence Equivalence = new(new MathSettings());

    public static TheoryData<int, string, string, bool> Cases()
    {
        var data = new TheoryData<int, string, string, bool>();
        var path = Path.Combine(AppContext.BaseDirectory, "MathAnswers", "equivalence-cases.txt");
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.StartsWith('#') || line.Length == 0) continue;
            var parts = line.Split('⟂');
            if (parts.Length != 3) throw new FormatException($"{path}:{lineNumber}: expected 'predicted ⟂ reference ⟂ =|≠'");
            data.Add(lineNumber, parts[0].Trim(), parts[1].Trim(), parts[2].Trim() == "=");
        }
        return data;
    }

    [Fact]
    public void The_table_holds_at_least_300_cases_of_both_kinds()
    {
        var cases = Cases().Select(row => (bool)row[3]).ToList();
        Assert.True(cases.Count >= 300, $"only {cases.Count} cases");
        Assert.True(cases.Count(equal => equal) >= 100);
        Assert.True(cases.Count(equal => !equal) >= 100);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answer_pair_compares_as_the_table_says(int line, string predicted, string reference, bool expected)
    {
        var verdict = Equivalence.Compare(predicted, reference);
        Assert.True(expected == verdict.Equal, $"line {line}: '{predicted}' vs '{reference}' expected {(expected ? "equal" : "not equal")}, got {verdict}");
        Assert.Equal(verdict.Equal, verdict.Reason is null);
        Assert.False(verdict.ReferenceInvalid, $"line {line}: reference '{reference}' unreadable: {verdict.Reason}");
    }
}
