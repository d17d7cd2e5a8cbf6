using System.Text.RegularExpressions;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>One way an answer is marked in a text; the first pattern (in <see cref="AnswerExtractor"/> order) that finds one wins.</summary>
internal interface IAnswerPattern
{
    /// <summary>The name reported as the answer's source (<c>answer-tag</c>, <c>boxed</c>, …).</summary>
    string Name { get; }
    string? Find(string text);
}

/// <summary>An answer found in a completion or a reference, and which pattern found it.</summary>
public sealed record ExtractedAnswer(string Text, string Source);

/// <summary>
/// Finds the final answer in a completion or a reference solution. In order: the R1-Zero <c>&lt;answer&gt;</c>
/// block (and a <c>\boxed{}</c> inside it), the last <c>\boxed{…}</c>/<c>\fbox{…}</c> (nested braces; with the
/// boxes right before it, as a list, when only commas or "and" separate them: <c>\boxed{1}, \boxed{2}</c> → <c>1, 2</c>),
/// GSM8K's <c>#### N</c>, "the final answer is …" (which also wins over a box written before it, as a later
/// statement does), and, as a configurable last resort, the last math span or number (AnswerExtractor.LastResort.cs). Every scan is linear in the text, so a megabyte completion costs milliseconds.
/// </summary>
public static partial class AnswerExtractor
{
    private static readonly IAnswerPattern[] Patterns = [new AnswerTagPattern(), new BoxedPattern(), new HashesPattern(), new FinalAnswerPhrasePattern()];
    private static readonly IAnswerPattern LastResort = new LastLatexOrNumberPattern();

    /// <example><c>Extract("&lt;think&gt;…&lt;/think&gt; &lt;answer&gt;\boxed{\frac{3}{4}}&lt;/answer&gt;", false)</c> → <c>\frac{3}{4}</c> from <c>answer-tag</c>.</example>
    public static ExtractedAnswer? Extract(string text, bool lastResort)
    {
        foreach (var pattern in Patterns)
        {
            if (pattern.Find(text) is { } found) return new ExtractedAnswer(found.Trim(), pattern.Name);
        }
        return lastResort && LastResort.Find(text) is { } fallback ? new ExtractedAnswer(fallback.Trim(), LastResort.Name) : null;
    }

    /// <summary>A reference is its marked answer when it has one (a whole solution), else the whole text.</summary>
    public static ExtractedAnswer ExtractReference(string reference) =>
        Extract(reference, lastResort: false) ?? new ExtractedAnswer(reference.Trim(), "whole-reference");

    /// <summary>The content of the last <c>&lt;answer&gt;…&lt;/answer&gt;</c> block, or null.</summary>
    public static string? AnswerTagBody(string text)
    {
        var close = text.LastIndexOf("</answer>", StringComparison.Ordinal);
        if (close < 0) return null;
        var open = text.LastIndexOf("<answer>", close, StringComparison.Ordinal);
        return open < 0 ? null : text[(open + "<answer>".Length)..close];
    }

    private sealed class AnswerTagPattern : IAnswerPattern
    {
        public string Name => "answer-tag";

        public string? Find(string text)
        {
            var body = AnswerTagBody(text);
            if (body is null) return null;
            return BoxedPattern.LastBoxed(body) ?? body;
        }
    }

    private sealed class BoxedPattern : IAnswerPattern
    {
        private const int MaxBoxes = 32;

        public string Name => "boxed";

        /// <summary>The last box, unless a "final answer is …" statement with an answer comes after it.</summary>
        public string? Find(string text)
        {
            var at = Math.Max(text.LastIndexOf("\\boxed", StringComparison.Ordinal), text.LastIndexOf("\\fbox", StringComparison.Ordinal));
            if (at < 0 || FinalAnswerPhrasePattern.Locate(text) is { } phrase && phrase.Index > at) return null;
            return LastBoxed(text);
        }

        public static string? LastBoxed(string text)
        {
            var at = Math.Max(text.LastIndexOf("\\boxed", StringComparison.Ordinal), text.LastIndexOf("\\fbox", StringComparison.Ordinal));
            if (at < 0) return null;
            var open = text.IndexOf('{', at);
            var nameEnd = at + (string.CompareOrdinal(text, at, "\\boxed", 0, 6) == 0 ? 6 : 5);
            if (open < 0 || text.AsSpan(nameEnd, open - nameEnd).Trim().Length > 0)
            {
                // \boxed 5: the token after a space, up to '$' or the end of the line.
                var rest = text[nameEnd..];
                var stop = rest.IndexOfAny(['$', '\n']);
                return stop < 0 ? rest : rest[..stop];
            }
            var close = BraceScanner.MatchingClose(text, open);
            return close < 0 ? null : PrecedingBoxes(text, at) + text[(open + 1)..close];
        }

        /// <summary>
        /// The boxes written just before the one at <paramref name="at"/>, separated from it only by commas,
        /// spaces, <c>$</c>, "and"/"or", each followed by ", "; empty when there are none. Each step scans only
        /// the text between two boxes, so the walk stays linear.
        /// </summary>
        /// <example><c>$\boxed{1}$, $\boxed{2}$</c> with <paramref name="at"/> at the second box → <c>"1, "</c>; <c>\boxed{1} then \boxed{2}</c> → <c>""</c>.</example>
        private static string PrecedingBoxes(string text, int at)
        {
            var found = new List<string>();
            while (found.Count < MaxBoxes && at > 0)
            {
                var previous = Math.Max(text.LastIndexOf("\\boxed{", at - 1, StringComparison.Ordinal), text.LastIndexOf("\\fbox{", at - 1, StringComparison.Ordinal));
                if (previous < 0) break;
                var open = text.IndexOf('{', previous);
                var close = BraceScanner.MatchingClose(text, open);
                if (close < 0 || close >= at || !BoxSeparator().IsMatch(text.AsSpan(close + 1, at - close - 1))) break;
                found.Add(text[(open + 1)..close]);
                at = previous;
            }
            found.Reverse();
            return string.Concat(found.Select(box => box + ", "));
        }
    }

    private sealed class HashesPattern : IAnswerPattern
    {
        public string Name => "hashes";

        public string? Find(string text)
        {
            var at = text.LastIndexOf("####", StringComparison.Ordinal);
            if (at < 0) return null;
            var rest = text[(at + 4)..];
            var end = rest.IndexOf('\n');
            var line = (end < 0 ? rest : rest[..end]).Trim();
            return line.Length == 0 ? null : line;
        }
    }

    [GeneratedRegex(@"(final answer is|the answer is|final answer:)", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex FinalAnswerPhrase();

    [GeneratedRegex(@"\$([^$]{1,2000})\$", RegexOptions.NonBacktracking)]
    private static partial Regex InlineMath();

    /// <summary>What may stand between boxes that together give several answers: <c>\boxed{1}, \boxed{2}</c>, <c>$\boxed{1}$ and $\boxed{2}$</c>, <c>\(\boxed{1}\) and \(\boxed{2}\)</c>, a unit word before "and" (<c>\boxed{1} papers and \boxed{2}</c>), and a name given to the next box
    /// (<c>\boxed{…} and y_2 = \boxed{…}</c>); not other words (<c>\boxed{1} then we get \boxed{2}</c>).</summary>
    [GeneratedRegex(@"^(\s|,|;|\$|\\quad|\\\(|\\\)|\\\[|\\\]|\\text\{\s*(and|or|,)\s*\}|and|or|[A-Za-z]+\s+(and|or)\s|[A-Za-z](_\{?[A-Za-z0-9]+\}?)?\s*=)*$", RegexOptions.NonBacktracking)]
    private static partial Regex BoxSeparator();

    [GeneratedRegex(@"\.(\s|$)", RegexOptions.NonBacktracking)]
    private static partial Regex SentenceEnd();

}
