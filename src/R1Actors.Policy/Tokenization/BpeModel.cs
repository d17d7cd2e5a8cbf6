using System.Collections.Concurrent;

namespace R1Actors.Policy.Tokenization;

/// <summary>
/// Byte-pair encoding of one pre-tokenized piece: start from single symbols and repeatedly merge the adjacent
/// pair with the lowest merge rank (leftmost first on ties) until no listed merge applies. Symbols are
/// held as vocabulary ids (every merge result is in the vocabulary), so the merge table is keyed on id
/// pairs. Results are cached per piece.
/// </summary>
internal sealed class BpeModel
{
    private const int CacheLimit = 200_000;
    private readonly IReadOnlyDictionary<string, int> vocab;
    private readonly Dictionary<long, (int Rank, int Merged)> merges;
    private readonly bool ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> cache = new();

    public BpeModel(IReadOnlyDictionary<string, int> vocab, Dictionary<long, (int Rank, int Merged)> merges, bool ignoreMerges)
    {
        this.vocab = vocab;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
    }

    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>A piece in the byte-level alphabet → its token ids.</summary>
    public int[] Encode(string piece)
    {
        if (cache.TryGetValue(piece, out var cached))
            return cached;
        var ids = ignoreMerges && vocab.TryGetValue(piece, out var whole) ? [whole] : Merge(piece);
        if (cache.Count >= CacheLimit)
            cache.Clear();
        cache[piece] = ids;
        return ids;
    }

    private int[] Merge(string piece)
    {
        var symbols = new List<int>(piece.Length);
        foreach (var c in piece)
            symbols.Add(vocab.TryGetValue(c.ToString(), out var id)
                ? id
                : throw new InvalidOperationException($"the vocabulary has no byte-level symbol '{c}' (U+{(int)c:X4})"));
        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue, merged = 0;
            for (var i = 0; i + 1 < symbols.Count; i++)
                if (merges.TryGetValue(Key(symbols[i], symbols[i + 1]), out var m) && m.Rank < bestRank)
                    (best, bestRank, merged) = (i, m.Rank, m.Merged);
            if (best < 0)
                break;
            symbols[best] = merged;
            symbols.RemoveAt(best + 1);
        }
        return [.. symbols];
    }
}
