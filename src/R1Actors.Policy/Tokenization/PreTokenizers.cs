using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace R1Actors.Policy.Tokenization;

/// <summary>Splits normalised text into the pieces BPE runs on, each written in the byte-level alphabet at the end.</summary>
internal interface IPreTokenizer
{
    IEnumerable<string> Split(string text);
}

/// <summary>Pre-tokenizers applied in order, each to every piece of the one before.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<IPreTokenizer> steps) : IPreTokenizer
{
    public IEnumerable<string> Split(string text) =>
        steps.Aggregate((IEnumerable<string>)[text], (pieces, step) => pieces.SelectMany(step.Split));
}

/// <summary>
/// Hugging Face's Split pre-tokenizer with behaviour "Isolated": every regex match is a piece, and so is
/// every stretch between matches. The pattern comes from tokenizer.json (Qwen2's
/// <c>(?i:'s|'t|…)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>).
/// .NET regexes see a character outside the BMP as two surrogates (category Cs), where Hugging Face's
/// engine sees one code point: each such character is matched through a BMP stand-in of the same class
/// (letter, number, other) and the pieces are cut from the original text.
/// </summary>
internal sealed class RegexSplitPreTokenizer(Regex pattern) : IPreTokenizer
{
    public IEnumerable<string> Split(string text)
    {
        var (subject, originalIndex) = StandIns(text);
        var pieces = new List<string>();
        var last = 0;
        foreach (Match match in pattern.Matches(subject))
        {
            if (match.Length == 0)
                continue;
            int start = originalIndex[match.Index], end = originalIndex[match.Index + match.Length];
            if (start > last)
                pieces.Add(text[last..start]);
            pieces.Add(text[start..end]);
            last = end;
        }
        if (last < text.Length)
            pieces.Add(text[last..]);
        return pieces;
    }

    /// <summary>The text with each surrogate pair replaced by one BMP character, and a map from its indices back.</summary>
    private static (string Subject, int[] OriginalIndex) StandIns(string text)
    {
        if (!text.Any(char.IsSurrogate))
            return (text, [.. Enumerable.Range(0, text.Length + 1)]);
        var subject = new StringBuilder(text.Length);
        var map = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            map.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                subject.Append(StandIn(char.ConvertToUtf32(text[i], text[i + 1])));
                i++;
            }
            else
                subject.Append(text[i]);
        }
        map.Add(text.Length);
        return (subject.ToString(), [.. map]);
    }

    // A letter that no contraction alternative spells, a digit, and a private-use symbol.
    private static char StandIn(int codePoint) => CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
    {
        >= UnicodeCategory.UppercaseLetter and <= UnicodeCategory.OtherLetter => '\u4E00',
        >= UnicodeCategory.DecimalDigitNumber and <= UnicodeCategory.OtherNumber => '0',
        _ => '\uE000',
    };
}

/// <summary>
/// Hugging Face's ByteLevel pre-tokenizer: optionally GPT-2's own split first (<c>use_regex</c>) and a leading
/// space (<c>add_prefix_space</c>), then every piece rewritten in the byte-level alphabet.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizer
{
    private static readonly RegexSplitPreTokenizer Gpt2Split = new(new Regex(
        @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant | RegexOptions.Compiled));

    public IEnumerable<string> Split(string text)
    {
        if (addPrefixSpace && !text.StartsWith(' '))
            text = " " + text;
        var pieces = useRegex ? Gpt2Split.Split(text) : [text];
        return pieces.Select(ByteLevel.Encode);
    }
}
