using System.Text;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Answers compared as text, for when the grammar cannot decide (a reference it cannot read, values undefined
/// at every test point): equal when they are written the same up to spacing, <c>\left</c>/<c>\right</c>,
/// fraction and relation spellings, wrappers such as <c>\mathrm{}</c>, and braces around one character.
/// Spelling-level only, so two different answers never meet: <c>\binom{2n}{n}</c> ≠ <c>\binom{2}{nn}</c>.
/// One pass each, linear in the text.
/// </summary>
internal static class LatexText
{
    private static readonly (string From, string To)[] Spellings =
    [
        ("\\left", ""), ("\\right", ""), ("\\displaystyle", ""), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"),
        ("\\cfrac", "\\frac"), ("\\dbinom", "\\binom"), ("\\tbinom", "\\binom"), ("\\leqslant", "\\le"), ("\\geqslant", "\\ge"),
        ("\\leq", "\\le"), ("\\geq", "\\ge"), ("\\neq", "\\ne"), ("\\!", ""), ("\\,", ""), ("\\;", ""), ("\\ ", ""), ("~", ""), ("$", ""),
    ];

    private static readonly HashSet<string> Wrappers = ["mathrm", "text", "textbf", "textrm", "mathbf", "mathit", "mbox", "operatorname"];

    /// <summary>Whether two answers are written the same.</summary>
    /// <example><c>Same("\dbinom{2n}{n}", "\binom{2n} {n}")</c> → true; <c>Same("\mathrm{gb}", "gb")</c> → true; <c>Same("x \le 3", "x &lt; 3")</c> → false.</example>
    public static bool Same(string a, string b) => Canonical(a) == Canonical(b);

    /// <example><c>Canonical("\left\{ x \mid x \leqslant \dfrac{1}{2} \right\}")</c> → <c>\{x\mid x\le\frac12\}</c>.</example>
    internal static string Canonical(string answer)
    {
        var text = answer;
        foreach (var (from, to) in Spellings) text = text.Replace(from, to, StringComparison.Ordinal);
        return DropSingleBraces(Unwrap(text));
    }

    /// <summary>
    /// Drops wrapper commands with their braces and all spacing; a letter that follows a command's name gets one
    /// space before it, so <c>\mid x</c> does not become the command <c>\midx</c>.
    /// </summary>
    private static string Unwrap(string text)
    {
        var output = new StringBuilder(text.Length);
        var dropped = new Stack<bool>();
        var afterCommand = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && char.IsAsciiLetter(text[i + 1]))
            {
                var end = i + 1;
                while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
                var brace = end;
                while (brace < text.Length && char.IsWhiteSpace(text[brace])) brace++;
                var isWrapper = Wrappers.Contains(text[(i + 1)..end]) && brace < text.Length && text[brace] == '{';
                if (isWrapper) dropped.Push(true);
                else output.Append(text, i, end - i);
                afterCommand |= !isWrapper;
                i = isWrapper ? brace + 1 : end;
                continue;
            }
            i++;
            if (c == '{') dropped.Push(false);
            if ((c == '}' && dropped.Count > 0 && dropped.Pop()) || char.IsWhiteSpace(c)) continue;
            if (afterCommand && char.IsAsciiLetter(c)) output.Append(' ');
            output.Append(c);
            afterCommand = false;
            if (c == '\\' && i < text.Length) output.Append(text[i++]);
        }
        return output.ToString();
    }

    /// <summary><c>{c}</c> around one character is <c>c</c> unless a letter or digit follows (<c>x^{2}</c> = <c>x^2</c>, <c>{2}3</c> stays); linear but for the short look back over a command name.</summary>
    private static string DropSingleBraces(string text)
    {
        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var single = text[i] == '{' && (i == 0 || text[i - 1] != '\\') && i + 2 < text.Length && text[i + 2] == '}'
                && text[i + 1] is not ('\\' or '{' or '}') && (i + 3 == text.Length || !char.IsLetterOrDigit(text[i + 3]));
            if (!single) { output.Append(text[i]); continue; }
            if (char.IsAsciiLetter(text[i + 1]) && EndsWithCommandName(output)) output.Append(' ');
            output.Append(text[i + 1]);
            i += 2;
        }
        return output.ToString();
    }

    /// <summary>Whether the text ends in <c>\name</c>, so that a letter after it needs a space (<c>\mathbb{Z}</c> → <c>\mathbb Z</c>).</summary>
    private static bool EndsWithCommandName(StringBuilder text)
    {
        var i = text.Length - 1;
        while (i >= 0 && char.IsAsciiLetter(text[i])) i--;
        return i >= 0 && i < text.Length - 1 && text[i] == '\\';
    }
}
