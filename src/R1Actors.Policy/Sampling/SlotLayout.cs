using R1Actors.Policy.Model;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// Where rows sit among the slots, so that attention reads little more than each row's own length. A decode
/// step must read, for every row, the positions of its segment's longest row; with long-tailed lengths one old
/// row in a segment of young ones multiplies that read (measured: 4× the rows' own lengths over 32 slots in one
/// segment). So the slots are cut into chunks, rows are kept ranked by position across chunks (the oldest in
/// chunk 0), and adjacent chunks of similar width are merged into one attention call. Positions advance in
/// lockstep, so ranks change only when a row leaves (rows below it move up a chunk: one row copied per chunk
/// boundary, the moves measured at a few per cent of the positions read) or joins (new rows are the youngest
/// and go to the last chunks).
/// </summary>
internal sealed class SlotLayout(int slots, long callCost = SlotLayout.DefaultCallCost)
{
    /// <summary>
    /// What one more attention call costs, in row-positions read, on this machine's CPU: a dozen small ops (~50 µs
    /// per layer) against ~0.1 µs per position and row per layer for a kv width of 128 floats.
    /// </summary>
    public const long DefaultCallCost = 512;

    private readonly int chunkSize = Math.Max(1, (slots + 7) / 8);

    /// <summary>
    /// The moves that put the row of rank r (by position, oldest first) into chunk r / chunk size; rows already in
    /// their chunk stay. <paramref name="positions"/>[slot] is the row's position, −1 for a free slot.
    /// </summary>
    public (long[] From, long[] To) Moves(int[] positions)
    {
        var ranked = Enumerable.Range(0, slots).Where(s => positions[s] >= 0)
            .OrderByDescending(s => positions[s]).ThenBy(s => s).ToArray();
        var staying = new bool[slots];
        var movers = new List<(int Slot, int Chunk)>();
        for (var rank = 0; rank < ranked.Length; rank++)
        {
            var chunk = rank / chunkSize;
            if (ranked[rank] / chunkSize == chunk)
                staying[ranked[rank]] = true;
            else
                movers.Add((ranked[rank], chunk));
        }
        var targets = movers.Select(m => m.Chunk).Distinct().ToDictionary(c => c, c =>
            new Queue<int>(Enumerable.Range(c * chunkSize, Math.Min(chunkSize, slots - c * chunkSize)).Where(s => !staying[s])));
        var to = movers.Select(m => (long)targets[m.Chunk].Dequeue()).ToArray();
        var from = movers.Select(m => (long)m.Slot).ToArray();
        return WorthMoving(positions, from, to) ? (from, to) : ([], []);
    }

    /// <summary>
    /// Whether the positions the moves save per step, over <see cref="PaybackSteps"/> steps, pay for copying the moved
    /// rows (read and written once) and the calls that copy them. Rows of similar length never pay: they stay put.
    /// </summary>
    private bool WorthMoving(int[] positions, long[] from, long[] to)
    {
        if (from.Length == 0)
            return false;
        var after = (int[])positions.Clone();
        foreach (var slot in from)
            after[slot] = -1;
        for (var m = 0; m < to.Length; m++)
            after[to[m]] = positions[from[m]];
        var saved = Cost(positions) - Cost(after);
        var copied = 2L * from.Sum(slot => positions[slot] + 1L) + 2 * callCost;
        return saved * PaybackSteps > copied;
    }

    /// <summary>Steps a saving is counted over: rows that are long enough to matter live at least this long.</summary>
    private const long PaybackSteps = 16;

    /// <summary>Positions read per step, free slots included: joining rows fill them, so leaving them out would count packing rows as a saving.</summary>
    private long Cost(int[] positions) => Segments(positions).Sum(s => s.Count * s.Width + callCost);

    /// <summary>
    /// Attention segments over the slots <paramref name="positions"/> covers (a prefix of them: the slots after the
    /// last row in flight are left out): chunks, each as wide as its longest row needs, adjacent ones merged where
    /// one wider call costs less than two.
    /// </summary>
    public IReadOnlyList<SlotSegment> Segments(ReadOnlySpan<int> positions)
    {
        var segments = new List<SlotSegment>();
        for (var start = 0; start < positions.Length; start += chunkSize)
        {
            var count = Math.Min(chunkSize, positions.Length - start);
            var width = 1L;
            for (var s = start; s < start + count; s++)
                width = Math.Max(width, positions[s] + 1L);
            if (segments.Count > 0 && segments[^1] is var last
                && (last.Count + count) * Math.Max(last.Width, width) <= last.Count * last.Width + count * width + callCost)
                segments[^1] = new SlotSegment(last.Start, last.Count + count, Math.Max(last.Width, width));
            else
                segments.Add(new SlotSegment(start, count, width));
        }
        return segments;
    }
}
