using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Rewrites an extracted answer into the text the tokenizer reads: drops the LaTeX wrappers that do not
/// change the value (<c>$</c>, <c>\(</c>, <c>\text{}</c>, <c>\mathrm{}</c>, <c>^\circ</c>, <c>\$</c>),
/// optionally drops units, and reads whole-answer forms the grammar cannot (<c>1,000</c>, <c>1 000</c>,
/// <c>2 1/2</c>).
/// </summary>
internal static partial class AnswerNormalizer
{
    private static readonly string[] Wrappers =
    [
        "text", "textbf", "textit", "textrm", "textnormal", "mathrm", "mathbf", "mathit", "mathsf", "mbox",
        "operatorname", "boxed", "fbox", "hbox", "emph", "bm", "boldsymbol", "mathbb",
    ];

    private static readonly (string From, string To)[] Replacements =
    [
        ("^{\\circ}", ""), ("^\\circ", ""), ("\\circ", ""), ("°", ""), ("\\degree", ""), ("{,}", ""), ("{, }", ""), ("\\quad", " \\quad "), (")or(", "),("),
        ("\\$", ""), (",\\! ", ","), (",\\!", ","), ("\\,", " "), ("\\!", ""), ("~", " "), ("\\;", " "), ("$", ""), ("\\(", ""), ("\\)", ""), ("\\[", ""), ("\\]", ""), ("−", "-"), ("–", "-"),
        ("×", "*"), ("÷", "/"), ("·", "*"), ("√", "\\sqrt"), ("\\%", "%"), ("\\dfrac", "\\frac"),
        ("\\tfrac", "\\frac"), ("\\cfrac", "\\frac"), ("\\dbinom", "\\binom"), ("\\tbinom", "\\binom"),
    ];

    public static string Normalize(string answer, bool stripUnits)
    {
        var text = SingleBackslashes(answer.Trim());
        foreach (var (from, to) in Replacements) text = text.Replace(from, to, StringComparison.Ordinal);
        text = BeforeApproximation(text);
        text = ClockTime(text);
        text = UnwrapTextCommands(text, stripUnits);
        text = text.Trim().TrimEnd('.', ';', ',').Trim();
        if (stripUnits) text = TrailingWords().Replace(text, "$1");
        text = OrAnd().Replace(text, ",");
        if (ThousandsWithCommas().IsMatch(text)) text = text.Replace(",", "", StringComparison.Ordinal);
        if (ThousandsWithSpaces().IsMatch(text)) text = text.Replace(" ", "", StringComparison.Ordinal);
        var mixed = MixedNumber().Match(text);
        if (mixed.Success) text = $"{mixed.Groups[1].Value}({mixed.Groups[2].Value}+{mixed.Groups[3].Value}/{mixed.Groups[4].Value})";
        return text.Trim();
    }

    /// <summary>
    /// A command written with its backslash doubled, as an escaped string stored unescaped gives it
    /// (<c>\\frac{1}{2}</c>, <c>\\le</c>), read as the command; a doubled backslash before anything else is a
    /// line break and stays, and so does every one inside an environment (<c>a \\ b</c> in a matrix).
    /// </summary>
    internal static string SingleBackslashes(string text)
    {
        if (!text.Contains("\\\\", StringComparison.Ordinal) || text.Contains("\\begin", StringComparison.Ordinal)) return text;
        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var doubled = text[i] == '\\' && i + 2 < text.Length && text[i + 1] == '\\' && char.IsAsciiLetter(text[i + 2]);
            output.Append(text[i]);
            if (doubled) i++;
        }
        return output.ToString();
    }

    /// <summary>
    /// An exact value followed by its approximation is the exact value: <c>x = 1/3 \approx 0.33</c> → <c>x = 1/3</c>;
    /// <c>x \approx 11</c>, with no value before it, stays (and reads as <c>x = 11</c>).
    /// </summary>
    internal static string BeforeApproximation(string text)
    {
        var at = text.IndexOf("\\approx", StringComparison.Ordinal);
        return at > 0 && text.AsSpan(0, at).IndexOfAnyInRange('0', '9') >= 0 && text.IndexOf(',', at) < 0 ? text[..at] : text;
    }

    /// <summary>A clock time with a.m./p.m. in 24-hour form, which the grammar reads as a ratio; other text unchanged.</summary>
    /// <example><c>4:30 \text{ p.m.}</c> → <c>16:30</c>; <c>12:05 am</c> → <c>0:05</c>; <c>13:00 pm</c> stays (and fails to parse).</example>
    internal static string ClockTime(string text)
    {
        var time = Meridiem().Match(text);
        if (!time.Success) return text;
        var hour = int.Parse(time.Groups[1].Value, CultureInfo.InvariantCulture);
        if (hour is < 1 or > 12) return text;
        var afternoon = char.ToLowerInvariant(time.Groups[3].Value[0]) == 'p';
        return $"{hour % 12 + (afternoon ? 12 : 0)}:{time.Groups[2].Value}";
    }

    /// <summary>A decimal comma where it cannot be a thousands separator or a list: one comma, not three digits after it.</summary>
    /// <example><c>12,5</c> → <c>12.5</c>; <c>0,25</c> → <c>0.25</c>; <c>12,500</c> and <c>1, 5</c> unchanged.</example>
    public static string DecimalComma(string normalized) =>
        DecimalCommaNumber().IsMatch(normalized) ? normalized.Replace(',', '.') : normalized;

    /// <summary>
    /// <c>\text{…}</c> and its kind become their content; with units stripped, a wrapped run of letters
    /// that follows something else (<c>5\text{ cm}</c>) is dropped, and <c>\text{ or }</c> becomes a comma.
    /// </summary>
    private static string UnwrapTextCommands(string text, bool stripUnits)
    {
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var wrapper = text[i] == '\\' ? MatchWrapper(text, i) : null;
            if (wrapper is null) { output.Append(text[i++]); continue; }
            var open = i + 1 + wrapper.Length;
            while (open < text.Length && text[open] == ' ') open++;
            if (open >= text.Length || text[open] != '{') { output.Append(text[i++]); continue; }
            var close = BraceScanner.MatchingClose(text, open);
            if (close < 0) throw new MathParseException($"unbalanced braces after \\{wrapper}");
            var inner = text[(open + 1)..close];
            output.Append(ReplaceWrapped(inner, output.ToString().Trim().Length > 0, stripUnits, wrapper));
            i = close + 1;
        }
        return output.ToString();
    }

    private static string ReplaceWrapped(string inner, bool followsSomething, bool stripUnits, string wrapper)
    {
        var trimmed = inner.Trim();
        if (trimmed is "or" or "and" or ",") return ",";
        var isWords = trimmed.Length > 0 && trimmed.All(c => char.IsLetter(c) || c is ' ' or '.' or '^' || char.IsDigit(c));
        if (stripUnits && followsSomething && isWords && wrapper is "text" or "mathrm" or "mbox" or "textrm" or "textbf" or "textit" or "textnormal" && char.IsLetter(trimmed[0]))
        {
            return "";
        }
        return inner;
    }

    private static string? MatchWrapper(string text, int backslash)
    {
        var end = backslash + 1;
        while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
        var name = text[(backslash + 1)..end];
        return Array.IndexOf(Wrappers, name) >= 0 ? name : null;
    }

    /// <summary><c>1,000</c>, <c>12,345.5</c>; not <c>0,111</c>, which no one writes for 111.</summary>
    [GeneratedRegex(@"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$", RegexOptions.NonBacktracking)]
    private static partial Regex ThousandsWithCommas();

    [GeneratedRegex(@"^[+-]?\d{1,3}( \d{3})+(\.\d+)?$", RegexOptions.NonBacktracking)]
    private static partial Regex ThousandsWithSpaces();

    [GeneratedRegex(@"^(\d{1,2}):([0-5]\d)\s*(?:\\text\{\s*)?([AaPp])\.?\s*[Mm]\.?\s*\}?$", RegexOptions.NonBacktracking)]
    private static partial Regex Meridiem();

    [GeneratedRegex(@"^[+-]?\d+,(\d{1,2}|\d{4,})$", RegexOptions.NonBacktracking)]
    private static partial Regex DecimalCommaNumber();

    [GeneratedRegex(@"^([+-]?)(\d+) +(\d+)/(\d+)$", RegexOptions.NonBacktracking)]
    private static partial Regex MixedNumber();

    [GeneratedRegex(@"\s+(or|and)\s+", RegexOptions.NonBacktracking)]
    private static partial Regex OrAnd();

    /// <summary>A number followed by plain words ("5 apples", "12 square meters").</summary>
    [GeneratedRegex(@"^([+-]?[\d.,/]*\d)\s+[A-Za-z][A-Za-z ]*$", RegexOptions.NonBacktracking)]
    private static partial Regex TrailingWords();
}

/// <summary>Brace matching that skips escaped braces (<c>\{</c>), shared by extraction and normalisation.</summary>
internal static class BraceScanner
{
    /// <summary>The index of the '}' that closes the '{' at <paramref name="open"/>, or -1 when unbalanced.</summary>
    public static int MatchingClose(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\') { i++; continue; }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }
}
