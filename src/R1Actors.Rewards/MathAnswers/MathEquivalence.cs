using System.Text.RegularExpressions;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>The verdict on one predicted answer against one reference answer.</summary>
/// <param name="Equal">Whether they are the same value.</param>
/// <param name="Reason">Why not, when they are not.</param>
/// <param name="ReferenceInvalid">The reference itself could not be read: the dataset is broken, not the completion.</param>
public sealed record MathVerdict(bool Equal, string? Reason, bool ReferenceInvalid = false);

/// <summary>
/// Compares two extracted answers as mathematics. Never throws and never runs past
/// <see cref="MathLimits.Deadline"/>: unreadable or pathological input is "not equal" with a reason, except
/// that an answer written like a reference the grammar cannot read or decide is equal (<see cref="LatexText"/>).
/// </summary>
/// <example>
/// <c>Compare("\dfrac{3}{4}", "0.75")</c> → equal; <c>Compare("(x+1)^2", "x^2+2x+1")</c> → equal;
/// <c>Compare("[1,2)", "(1,2)")</c> → not equal; <c>Compare("x = 3", "3")</c> → equal.
/// </example>
public sealed partial class MathEquivalence(MathSettings settings)
{
    public MathSettings Settings { get; } = settings;

    public MathVerdict Compare(string predicted, string reference)
    {
        var budget = new MathBudget(Settings.Limits, Settings.Clock);
        Expr referenceExpr;
        try
        {
            referenceExpr = ParseAnswer(reference, budget);
        }
        catch (Exception e) when (e is MathParseException or MathLimitException)
        {
            if (e is MathParseException && WrittenTheSame(predicted, reference)) return new MathVerdict(true, null);
            return new MathVerdict(false, $"reference answer '{Shorten(reference)}' cannot be read: {e.Message}", ReferenceInvalid: true);
        }
        try
        {
            var predictedExpr = referenceExpr switch
            {
                ChoiceExpr => ParseChoice(predicted, budget),
                NumberExpr or BinaryExpr or NegateExpr or FunctionExpr or ConstantExpr or PercentExpr => ParseAnswer(predicted, budget, decimalComma: true),
                _ => ParseAnswer(predicted, budget),
            };
            var comparer = new ExprComparer(budget, Settings);
            if (comparer.Equal(predictedExpr, referenceExpr)) return new MathVerdict(true, null);
            if (comparer.Undecidable && WrittenTheSame(predicted, reference)) return new MathVerdict(true, null);
            var note = comparer.Note is null ? "" : $" ({comparer.Note})";
            return new MathVerdict(false, $"answer '{Shorten(predicted)}' does not equal reference '{Shorten(reference)}'{note}");
        }
        catch (Exception e) when (e is MathParseException or MathLimitException)
        {
            return new MathVerdict(false, $"answer '{Shorten(predicted)}' cannot be read: {e.Message}");
        }
    }

    /// <param name="decimalComma">Read <c>12,5</c> as 12.5: against a single number a two-item list can never be right.</param>
    private Expr ParseAnswer(string answer, MathBudget budget, bool decimalComma = false)
    {
        if (answer.Length > Settings.Limits.MaxAnswerChars) throw new MathLimitException($"answer is longer than {Settings.Limits.MaxAnswerChars} characters");
        var normalized = AnswerNormalizer.Normalize(answer, Settings.StripUnits);
        if (decimalComma) normalized = AnswerNormalizer.DecimalComma(normalized);
        var choice = ChoiceLetter().Match(normalized);
        if (choice.Success) return new ChoiceExpr(choice.Groups[1].Value[0]);
        if (IsText(normalized)) return new TextExpr(normalized);
        return MathParser.Parse(normalized, budget);
    }

    private Expr ParseChoice(string predicted, MathBudget budget)
    {
        if (predicted.Length > Settings.Limits.MaxAnswerChars) throw new MathLimitException($"answer is longer than {Settings.Limits.MaxAnswerChars} characters");
        var normalized = AnswerNormalizer.Normalize(predicted, stripUnits: false);
        var leading = LeadingChoiceLetter().Match(normalized);
        if (leading.Success) return new ChoiceExpr(leading.Groups[1].Value[0]);
        return ParseAnswer(predicted, budget);
    }

    /// <summary>Words, not mathematics: a run of three or more letters that is not a function name ("Monday", "no solution").</summary>
    private static bool IsText(string normalized)
    {
        if (!Words().IsMatch(normalized)) return false;
        return LetterRuns().Matches(normalized).Any(m => m.Value.Length >= 3 && !MathTokenizer.KnownNames.Contains(m.Value.ToLowerInvariant()));
    }

    /// <summary>The text fallback for what the grammar cannot decide, within the same length bound as parsing.</summary>
    private bool WrittenTheSame(string predicted, string reference) =>
        predicted.Length <= Settings.Limits.MaxAnswerChars && reference.Length <= Settings.Limits.MaxAnswerChars && LatexText.Same(predicted, reference);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    [GeneratedRegex(@"^\(?([A-J])\)?$", RegexOptions.NonBacktracking)]
    private static partial Regex ChoiceLetter();

    [GeneratedRegex(@"^\(?([A-J])(\)|\.|:|,|\s|$)", RegexOptions.NonBacktracking)]
    private static partial Regex LeadingChoiceLetter();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z '\-]*$", RegexOptions.NonBacktracking)]
    private static partial Regex Words();

    [GeneratedRegex(@"[A-Za-z]+", RegexOptions.NonBacktracking)]
    private static partial Regex LetterRuns();
}
