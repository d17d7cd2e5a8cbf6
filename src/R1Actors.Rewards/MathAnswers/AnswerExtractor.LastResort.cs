using System.Text.RegularExpressions;

namespace R1Actors.Rewards.MathAnswers;

public static partial class AnswerExtractor
{
    /// <summary>
    /// The answer of a completion that marks none, in order: the whole completion when it is one short line of
    /// mathematics (<c>-\frac{10}{9}</c>, <c>1 000</c>); else the last math span (<c>$…$</c>, <c>\(…\)</c> on one
    /// line; <c>$$…$$</c>, <c>\[…\]</c> on any), unless a number standing alone comes in a later sentence
    /// ("… $d = \frac{90}{n}$. Therefore there are 12 sequences" → 12); else the last such number. Inline math
    /// opened and then broken by a new line (<c>$ ⏎ 9 ⏎ $</c>) is not an answer, nor is a number inside it.
    /// </summary>
    private sealed class LastLatexOrNumberPattern : IAnswerPattern
    {
        private const int MaxBareChars = 200;

        public string Name => "last-resort";

        public string? Find(string text)
        {
            if (BareMath(text) is { } bare) return bare;
            var numbers = Number().Matches(text);
            var lastNumber = numbers.Count > 0 ? numbers[^1] : null;
            var span = LastSpan(text);
            if (span is null) return lastNumber is null || BrokenInlineMath().IsMatch(text) ? null : lastNumber.Value;
            var end = span.Index + span.Length;
            if (lastNumber is not null && lastNumber.Index >= end && (IsDisplay(span) || SentenceEnd().IsMatch(text.AsSpan(end, lastNumber.Index - end))))
            {
                return lastNumber.Value;
            }
            return SpanBody(span);
        }

        /// <summary>
        /// The span that ends last (the longer on a tie: <c>$$ 9 $$</c> holds the inline <c>$ 9 $</c>). One scan per
        /// kind of span: in one alternation an unclosed <c>\(</c> stays a live candidate while every later <c>$x$</c>
        /// is matched, and the scans turn quadratic.
        /// </summary>
        private static Match? LastSpan(string text)
        {
            Match? last = null;
            foreach (var kind in (Regex[])[DisplayDollars(), DisplayBrackets(), InlineParens(), InlineDollars()])
            {
                var matches = kind.Matches(text);
                if (matches.Count == 0) continue;
                var candidate = matches[^1];
                var candidateEnd = candidate.Index + candidate.Length;
                if (last is null || candidateEnd > last.Index + last.Length || (candidateEnd == last.Index + last.Length && candidate.Length > last.Length)) last = candidate;
            }
            return last;
        }

        /// <summary>One line with no <c>$</c> and no run of two letters outside a command name: <c>\frac{10}{9}</c>, <c>x+1</c>; not <c>Answer 9</c>.</summary>
        private static string? BareMath(string text)
        {
            var trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed.Length > MaxBareChars || trimmed.AsSpan().IndexOfAny('\n', '$') >= 0) return null;
            var run = 0;
            var inCommand = false;
            foreach (var c in trimmed)
            {
                if (char.IsAsciiLetter(c))
                {
                    if (!inCommand && ++run >= 2) return null;
                    continue;
                }
                inCommand = c == '\\';
                run = 0;
            }
            return trimmed;
        }

        private static bool IsDisplay(Match span) => span.Value.StartsWith("$$", StringComparison.Ordinal) || span.Value.StartsWith("\\[", StringComparison.Ordinal);

        private static string SpanBody(Match span)
        {
            var open = IsDisplay(span) || span.Value.StartsWith("\\(", StringComparison.Ordinal) ? 2 : 1;
            return span.Value[open..^open];
        }
    }

    // Math spans, escapes (\$) kept inside: display $$…$$ and \[…\] may hold new lines, inline $…$ and \(…\) may not.
    [GeneratedRegex(@"\$\$([^$]|\\\$)+\$\$", RegexOptions.NonBacktracking)]
    private static partial Regex DisplayDollars();

    [GeneratedRegex(@"\\\[([^\\]|\\[^\]])+\\\]", RegexOptions.NonBacktracking)]
    private static partial Regex DisplayBrackets();

    [GeneratedRegex(@"\\\(([^\\\n]|\\[^)\n])+\\\)", RegexOptions.NonBacktracking)]
    private static partial Regex InlineParens();

    [GeneratedRegex(@"\$([^$\\\n]|\\[^\n])+\$", RegexOptions.NonBacktracking)]
    private static partial Regex InlineDollars();

    /// <summary>Inline math whose opening is followed by a new line: <c>$ ⏎ 9 ⏎ $</c>.</summary>
    [GeneratedRegex(@"(^|[^$\\])\$[ \t]*\n|\\\([ \t]*\n", RegexOptions.NonBacktracking)]
    private static partial Regex BrokenInlineMath();

    /// <summary>
    /// A number standing alone, with thousands written <c>1,000</c> or <c>1 000</c>, a decimal part (<c>.4</c>),
    /// or a slash: the 2 in <c>AZYUK2A</c> is part of a word, not an answer; <c>1,000.99m²</c> gives <c>1,000.99</c>.
    /// </summary>
    [GeneratedRegex(@"(-|\b)(\d{1,3}( \d{3})+|\d([\d,]*\d)?)(\.\d+)?(/\d+)?|(-|\B)\.\d+", RegexOptions.NonBacktracking)]
    private static partial Regex Number();
}
