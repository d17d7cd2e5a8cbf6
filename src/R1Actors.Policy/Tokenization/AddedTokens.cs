namespace R1Actors.Policy.Tokenization;

/// <summary>A token matched verbatim in the text before normalisation and BPE (<c>&lt;|im_end|&gt;</c>, <c>&lt;think&gt;</c>).</summary>
/// <param name="Special">Skipped by <c>Decode(…, skipSpecialTokens: true)</c>.</param>
/// <param name="LeftStrip">Also swallows the whitespace before it.</param>
/// <param name="RightStrip">Also swallows the whitespace after it.</param>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip, bool RightStrip);

/// <summary>
/// Cuts text into added tokens and the stretches between them, leftmost match first and the longest token
/// at a position first, as Hugging Face's added vocabulary does.
/// </summary>
internal sealed class AddedTokens
{
    private readonly Dictionary<char, AddedToken[]> byFirstChar;

    public AddedTokens(IEnumerable<AddedToken> tokens)
    {
        All = [.. tokens];
        byFirstChar = All.Where(t => t.Content.Length > 0).GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public IReadOnlyList<AddedToken> All { get; }

    /// <summary>Pieces in order: either an added token or a stretch of ordinary text (never empty).</summary>
    public IEnumerable<(AddedToken? Token, string Text)> Split(string text)
    {
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (Match(text, i) is not { } token)
            {
                i++;
                continue;
            }
            var (from, to) = (i, i + token.Content.Length);
            if (token.LeftStrip)
                while (from > start && char.IsWhiteSpace(text[from - 1]))
                    from--;
            if (token.RightStrip)
                while (to < text.Length && char.IsWhiteSpace(text[to]))
                    to++;
            if (from > start)
                yield return (null, text[start..from]);
            yield return (token, token.Content);
            start = i = to;
        }
        if (start < text.Length)
            yield return (null, text[start..]);
    }

    private AddedToken? Match(string text, int at) =>
        byFirstChar.TryGetValue(text[at], out var candidates)
            ? candidates.FirstOrDefault(t => string.CompareOrdinal(text, at, t.Content, 0, t.Content.Length) == 0)
            : null;
}
