using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Logic;

/// <summary>The answer of a logic puzzle: the <c>&lt;answer&gt;</c> block, else a marked answer, within a length bound.</summary>
internal static class PuzzleAnswer
{
    private const int MaxChars = 4_000;

    /// <summary>The answer text, or the reason there is none to score.</summary>
    /// <example><c>Read("… &lt;answer&gt;Alice is a knight&lt;/answer&gt;")</c> → (<c>Alice is a knight</c>, null); <c>Read("no tags")</c> → (null, "no answer found in the completion").</example>
    public static (string? Text, string? Problem) Read(string completion)
    {
        var answer = AnswerExtractor.AnswerTagBody(completion) ?? AnswerExtractor.Extract(completion, lastResort: false)?.Text;
        if (answer is null) return (null, "no answer found in the completion");
        return answer.Length > MaxChars ? (null, $"answer longer than {MaxChars} characters") : (answer, null);
    }
}
