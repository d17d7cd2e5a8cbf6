using System.Text.RegularExpressions;

namespace R1Actors.Rewards.MathAnswers;

public static partial class AnswerExtractor
{
    /// <summary>
    /// "The final answer is …" / "the answer is …" / "Final Answer: …": the first math span of the rest of that
    /// line, unless a number standing alone follows it in the same sentence ("The volume of $ABCD$ is 120." →
    /// 120); without math, the sentence, or its one number when the sentence is words around a single number
    /// ("Jane started growing Sphere 3 hours ago." → 3). A later statement overrides an earlier <c>\boxed{}</c>.
    /// </summary>
    private sealed class FinalAnswerPhrasePattern : IAnswerPattern
    {
        public string Name => "final-answer-phrase";

        public string? Find(string text) => Locate(text)?.Answer;

        /// <summary>Where the last phrase starts and the answer it states, or null when it states none.</summary>
        public static (int Index, string Answer)? Locate(string text)
        {
            var matches = FinalAnswerPhrase().Matches(text);
            if (matches.Count == 0) return null;
            var last = matches[^1];
            var rest = text[(last.Index + last.Length)..];
            var end = rest.IndexOf('\n');
            var answer = StatedAnswer((end < 0 ? rest : rest[..end]).Trim().TrimStart(':').Trim()).Trim();
            return answer.Length == 0 ? null : (last.Index, answer);
        }

        private static string StatedAnswer(string line)
        {
            var math = InlineMath().Match(line);
            if (math.Success)
            {
                if (JoinedSpans(line, math) is { } several) return several;
                var after = line[(math.Index + math.Length)..];
                var stop = SentenceEnd().Match(after);
                var clause = stop.Success ? after[..stop.Index] : after;
                return (clause.Contains('$') ? null : LastNumber(clause)) ?? math.Groups[1].Value;
            }
            var sentenceEnd = SentenceEnd().Match(line);
            var sentence = (sentenceEnd.Success ? line[..sentenceEnd.Index] : line).TrimEnd('.');
            var numbers = Number().Matches(sentence);
            return numbers.Count == 1 && HasWord(sentence) ? numbers[0].Value : sentence;
        }

        /// <summary>Math spans joined only by "and", "or" and commas, as one list: <c>$12$ and $13$</c> → <c>12, 13</c>; else null.</summary>
        private static string? JoinedSpans(string line, Match first)
        {
            var items = new List<string> { first.Groups[1].Value };
            var next = first.NextMatch();
            var end = first.Index + first.Length;
            while (next.Success && SpanJoiner().IsMatch(line.AsSpan(end, next.Index - end)))
            {
                items.Add(next.Groups[1].Value);
                end = next.Index + next.Length;
                next = next.NextMatch();
            }
            return items.Count > 1 ? string.Join(", ", items) : null;
        }

        private static string? LastNumber(string text)
        {
            var numbers = Number().Matches(text);
            return numbers.Count > 0 ? numbers[^1].Value : null;
        }

        /// <summary>A run of three letters or more that is neither a command (<c>\frac</c>) nor a function name (<c>sin</c>).</summary>
        private static bool HasWord(string text) =>
            LetterRun().Matches(text).Any(m => m.Value.Length >= 3 && (m.Index == 0 || text[m.Index - 1] != '\\') && !MathTokenizer.KnownNames.Contains(m.Value.ToLowerInvariant()));
    }

    [GeneratedRegex(@"^\s*(,|and|or)\s*$", RegexOptions.NonBacktracking)]
    private static partial Regex SpanJoiner();

    [GeneratedRegex(@"[A-Za-z]+", RegexOptions.NonBacktracking)]
    private static partial Regex LetterRun();
}
