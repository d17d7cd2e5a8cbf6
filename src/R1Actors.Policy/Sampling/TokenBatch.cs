using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// Token rows of different lengths as one padded (B, T) int64 id tensor and its 0/1 mask. Prompts are padded
/// on the left (so that every row's next token lands in the last column), completions on the right.
/// </summary>
public sealed class TokenBatch : IDisposable
{
    private TokenBatch(Tensor ids, Tensor mask)
    {
        Ids = ids;
        Mask = mask;
    }

    /// <summary>(B, T) int64.</summary>
    public Tensor Ids { get; }

    /// <summary>(B, T) int64, 1 for real tokens, 0 for padding.</summary>
    public Tensor Mask { get; }

    public static TokenBatch LeftPadded(IReadOnlyList<IReadOnlyList<int>> rows, int padId, Device device) =>
        Pad(rows, padId, device, left: true);

    public static TokenBatch RightPadded(IReadOnlyList<IReadOnlyList<int>> rows, int padId, Device device) =>
        Pad(rows, padId, device, left: false);

    private static TokenBatch Pad(IReadOnlyList<IReadOnlyList<int>> rows, int padId, Device device, bool left)
    {
        if (rows.Count == 0)
            throw new ArgumentException("a token batch needs at least one row", nameof(rows));
        var width = Math.Max(1, rows.Max(r => r.Count));
        var ids = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        Array.Fill(ids, padId);
        for (var b = 0; b < rows.Count; b++)
        {
            var offset = b * width + (left ? width - rows[b].Count : 0);
            for (var t = 0; t < rows[b].Count; t++)
            {
                ids[offset + t] = rows[b][t];
                mask[offset + t] = 1;
            }
        }
        return new TokenBatch(
            tensor(ids, [rows.Count, width]).to(device).DetachFromDisposeScope(),
            tensor(mask, [rows.Count, width]).to(device).DetachFromDisposeScope());
    }

    public void Dispose()
    {
        Ids.Dispose();
        Mask.Dispose();
    }
}
