using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// A run of attention over packed positions [<paramref name="Offset"/>, Offset + Length): whole sequences only, so
/// that attention never needs a key outside it. <paramref name="Allowed"/> (1, 1, Length, Length) is true where
/// query i may see key j (j ≤ i, same sequence); null for a block of one sequence, which is plainly causal.
/// </summary>
public sealed record AttentionBlock(long Offset, long Length, Tensor? Allowed);

/// <summary>
/// Several sequences laid back to back in one row, without padding, the layout the learner trains on when
/// <c>r1.training.optimizer.packed-sequences</c> is on (veRL's and OpenRLHF's "remove padding"):
/// <list type="bullet">
/// <item>Positions restart at 0 with each sequence, so rotary angles are what the sequence sees alone.</item>
/// <item>Attention cannot cross a sequence boundary. It runs per <see cref="AttentionBlock"/>: consecutive short
///   sequences share a block of at most <c>blockTokens</c> positions (one fused attention call under a
///   block-diagonal causal mask), and a longer sequence is a block of its own (plainly causal), so the cost is about
///   Σ max(L, blockTokens)·L instead of the (Σ L)² of one mask over the whole row, and instead of the
///   rows × longest² of padding.</item>
/// </list>
/// Dispose it to free its tensors.
/// </summary>
public sealed class PackedSequences : IDisposable
{
    /// <summary>Sequences at most this long share attention blocks up to this many positions.</summary>
    public const int DefaultBlockTokens = 256;

    private PackedSequences(Tensor ids, Tensor positions, IReadOnlyList<AttentionBlock> blocks, IReadOnlyList<long> offsets)
    {
        Ids = ids;
        Positions = positions;
        Blocks = blocks;
        Offsets = offsets;
    }

    /// <summary>(1, T) int64 token ids, T = Σ sequence lengths.</summary>
    public Tensor Ids { get; }

    /// <summary>(1, T) int64 positions, 0 … L − 1 within each sequence.</summary>
    public Tensor Positions { get; }

    public IReadOnlyList<AttentionBlock> Blocks { get; }

    /// <summary>Where each sequence starts in the packed row, in the order given.</summary>
    public IReadOnlyList<long> Offsets { get; }

    public long Length => Ids.shape[1];

    /// <exception cref="ArgumentException">No sequence, or an empty one.</exception>
    public static PackedSequences Pack(IReadOnlyList<IReadOnlyList<int>> sequences, Device device, int blockTokens = DefaultBlockTokens)
    {
        if (sequences.Count == 0)
            throw new ArgumentException("packing needs at least one sequence", nameof(sequences));
        for (var s = 0; s < sequences.Count; s++)
            if (sequences[s].Count == 0)
                throw new ArgumentException($"sequence {s} is empty; packing needs ≥ 1 token per sequence", nameof(sequences));
        var total = sequences.Sum(s => s.Count);
        var ids = new long[total];
        var positions = new long[total];
        var offsets = new long[sequences.Count];
        var at = 0;
        for (var s = 0; s < sequences.Count; s++)
        {
            offsets[s] = at;
            for (var i = 0; i < sequences[s].Count; i++, at++)
            {
                ids[at] = sequences[s][i];
                positions[at] = i;
            }
        }
        var blocks = new List<AttentionBlock>();
        var first = 0;
        while (first < sequences.Count)
        {
            var last = first;
            long length = sequences[first].Count;
            while (last + 1 < sequences.Count && length + sequences[last + 1].Count <= blockTokens)
                length += sequences[++last].Count;
            blocks.Add(Block(sequences, first, last, offsets[first], length, device));
            first = last + 1;
        }
        return new PackedSequences(tensor(ids, [1, total], device: device), tensor(positions, [1, total], device: device), blocks, offsets);
    }

    /// <summary>The block of sequences first…last: allowed where the key is not later and in the same sequence.</summary>
    private static AttentionBlock Block(IReadOnlyList<IReadOnlyList<int>> sequences, int first, int last, long offset, long length, Device device)
    {
        if (first == last)
            return new AttentionBlock(offset, length, Allowed: null);
        var segment = new int[length];
        var at = 0;
        for (var s = first; s <= last; s++)
            for (var i = 0; i < sequences[s].Count; i++)
                segment[at++] = s;
        var allowed = new bool[length * length];
        for (var q = 0; q < length; q++)
            for (var k = 0; k <= q; k++)
                allowed[q * length + k] = segment[k] == segment[q];
        return new AttentionBlock(offset, length, tensor(allowed, [1, 1, length, length], device: device));
    }

    public void Dispose()
    {
        Ids.Dispose();
        Positions.Dispose();
        foreach (var block in Blocks)
            block.Allowed?.Dispose();
    }
}
