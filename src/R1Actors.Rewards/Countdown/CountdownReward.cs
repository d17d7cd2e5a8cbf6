using System.Numerics;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Countdown;

/// <summary>
/// The <c>countdown</c> answer component: the answer is an arithmetic expression (integers, + − × ÷,
/// parentheses) that uses each of the task's <c>numbers</c> exactly once and equals its <c>target</c>.
/// Parsed and evaluated here, in exact rationals (so 6/4*4 is 6, not 5.999…); nothing is ever passed to an
/// interpreter. A trailing <c>= target</c> is allowed.
/// </summary>
/// <example>numbers [3, 5, 7], target 22: <c>&lt;answer&gt;(7 - 3) * 5 + 2&lt;/answer&gt;</c> → 0 (2 is not given); <c>3 * 5 + 7</c> → 1.</example>
public sealed class CountdownReward : IRewardFunction
{
    private const int MaxExpressionChars = 500;

    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(task, completion));

    public static RewardOutcome Score(TaskSpec task, string completion)
    {
        if (!task.TryGetIntegers("numbers", out var numbers, out var problem) || !task.TryGetInteger("target", out var target, out problem))
        {
            return Outcomes.Fail(RewardComponents.Answer, $"invalid task: {problem}");
        }
        var answer = AnswerExtractor.Extract(completion, lastResort: false)?.Text;
        if (answer is null) return Outcomes.Fail(RewardComponents.Answer, "no answer found in the completion");
        var equals = answer.IndexOf('=');
        if (equals >= 0) answer = answer[..equals];
        if (answer.Length > MaxExpressionChars) return Outcomes.Fail(RewardComponents.Answer, $"expression longer than {MaxExpressionChars} characters");
        var parsed = CountdownParser.Parse(answer);
        if (parsed.Error is not null) return Outcomes.Fail(RewardComponents.Answer, $"cannot read expression '{answer.Trim()}': {parsed.Error}");
        var used = parsed.Literals.Order().ToList();
        var given = numbers.Select(n => new BigInteger(n)).Order().ToList();
        if (!used.SequenceEqual(given))
        {
            return Outcomes.Fail(RewardComponents.Answer, $"expression uses [{string.Join(", ", used)}] but must use each of [{string.Join(", ", given)}] exactly once");
        }
        if (parsed.Value is not { } value) return Outcomes.Fail(RewardComponents.Answer, "expression divides by zero");
        return value == Rational.FromInteger(target)
            ? Outcomes.Pass(RewardComponents.Answer)
            : Outcomes.Fail(RewardComponents.Answer, $"expression equals {value}, not {target}");
    }
}

/// <summary>The parse of a countdown expression: its value (null after a division by zero), the literals it used, or an error.</summary>
internal sealed record CountdownParse(Rational? Value, List<BigInteger> Literals, string? Error);

/// <summary>Recursive descent over <c>sum := product (± product)*; product := unary (×÷ unary)*; unary := -unary | integer | (sum)</c>.</summary>
internal sealed class CountdownParser
{
    private const int MaxDepth = 50;
    private readonly string _text;
    private readonly List<BigInteger> _literals = [];
    private int _position;
    private int _depth;
    private bool _dividedByZero;

    private CountdownParser(string text) => _text = ReplaceLatex(text);

    public static CountdownParse Parse(string text)
    {
        var parser = new CountdownParser(text);
        try
        {
            var value = parser.Sum();
            parser.SkipSpaces();
            if (parser._position < parser._text.Length)
            {
                return new CountdownParse(null, parser._literals, $"unexpected '{parser._text[parser._position]}' at position {parser._position + 1}");
            }
            return new CountdownParse(parser._dividedByZero ? null : value, parser._literals, null);
        }
        catch (FormatException e)
        {
            return new CountdownParse(null, parser._literals, e.Message);
        }
    }

    private Rational Sum()
    {
        var value = Product();
        while (TryTake('+', '-') is { } op) value = op == '+' ? value + Product() : value - Product();
        return value;
    }

    private Rational Product()
    {
        var value = Unary();
        while (TryTake('*', '/', '×', '÷', '·') is { } op)
        {
            var right = Unary();
            if (op is '*' or '×' or '·') value *= right;
            else if (right.IsZero) _dividedByZero = true;
            else value /= right;
        }
        return value;
    }

    private Rational Unary()
    {
        if (++_depth > MaxDepth) throw new FormatException($"nested deeper than {MaxDepth} levels");
        try
        {
            if (TryTake('-') is not null) return -Unary();
            if (TryTake('(') is not null)
            {
                var inner = Sum();
                if (TryTake(')') is null) throw new FormatException("missing ')'");
                return inner;
            }
            return Integer();
        }
        finally { _depth--; }
    }

    private Rational Integer()
    {
        SkipSpaces();
        var start = _position;
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position])) _position++;
        if (start == _position) throw new FormatException(_position < _text.Length ? $"unexpected '{_text[_position]}' at position {_position + 1}" : "expression ends early");
        var literal = BigInteger.Parse(_text.AsSpan(start, _position - start), System.Globalization.CultureInfo.InvariantCulture);
        _literals.Add(literal);
        return Rational.FromInteger(literal);
    }

    private char? TryTake(params char[] symbols)
    {
        SkipSpaces();
        if (_position >= _text.Length || Array.IndexOf(symbols, _text[_position]) < 0) return null;
        return _text[_position++];
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && (char.IsWhiteSpace(_text[_position]) || _text[_position] == '$')) _position++;
    }

    private static string ReplaceLatex(string text) => text
        .Replace("\\times", "×", StringComparison.Ordinal).Replace("\\cdot", "·", StringComparison.Ordinal)
        .Replace("\\div", "÷", StringComparison.Ordinal).Replace("\\left", "", StringComparison.Ordinal)
        .Replace("\\right", "", StringComparison.Ordinal);
}
