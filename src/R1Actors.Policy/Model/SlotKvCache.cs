using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// Keys and values for continuous batching: N slots of L tokens each, allocated once and detached. Slot s holds
/// one row's prompt and generated tokens contiguously from position 0, so a token's slot index is its rotary
/// position and each row is masked at its own length (<see cref="BlockedForStep"/>). When a row finishes, the
/// next row to join overwrites the slot's first P positions with its prompt; whatever lies beyond a row's length
/// is masked, so a slot is never cleared, copied or reallocated.
/// </summary>
public sealed class SlotKvCache : IDisposable
{
    private readonly Tensor[] keys;      // per layer (N, kvH, L, D)
    private readonly Tensor[] values;    // per layer (N, kvH, L, D)
    private readonly Tensor rowStarts;   // (N·kvH) int64: where (slot, kv head, position 0) lies in a layer's flat (N·kvH·L, D) view
    private readonly Tensor slotIndex;   // (L) int64: 0 … L − 1
    private readonly int kvHeads;

    private SlotKvCache(Tensor[] keys, Tensor[] values, int slots, int slotTokens, int kvHeads, Device device, DecodeAttentionPath attention)
    {
        this.keys = keys;
        this.values = values;
        this.kvHeads = kvHeads;
        ReadsExactly = attention == DecodeAttentionPath.Auto && DecodeAttention.ServesStore(keys[0]);
        Slots = slots;
        SlotTokens = slotTokens;
        rowStarts = (arange(slots * (long)kvHeads, ScalarType.Int64, device) * slotTokens).DetachFromDisposeScope();
        slotIndex = arange(slotTokens, ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>N: rows in flight at most.</summary>
    public int Slots { get; }

    /// <summary>L: prompt + generated tokens one slot holds.</summary>
    public int SlotTokens { get; }

    /// <summary>
    /// True where decode steps run <see cref="DecodeAttention"/>: every row reads exactly its own positions, and the
    /// segments passed to <see cref="ForStep"/> are not used. False: attention runs per segment (libtorch).
    /// </summary>
    public bool ReadsExactly { get; }

    /// <summary>Bytes of keys and values (what a static batch of N rows × L tokens would also hold).</summary>
    public long Bytes => keys.Concat(values).Sum(t => t.NumberOfElements * t.ElementSize);

    public static SlotKvCache Allocate(ModelConfig config, int slots, int slotTokens, ScalarType dtype, Device device,
        DecodeAttentionPath attention = DecodeAttentionPath.Auto)
    {
        if (slots < 1 || slotTokens < 2)
            throw new ArgumentException($"a slot cache needs at least one slot of two tokens, not {slots} × {slotTokens}");
        var (keys, values) = KvCache.LayerTensors(config, slots, slotTokens, dtype, device);
        return new SlotKvCache(keys, values, slots, slotTokens, config.NumKeyValueHeads, device, attention);
    }

    /// <summary>(N', 1) positions of the tokens fed now to the first N' slots → (N', 1, 1, 1, width) bool: key slot j is blocked for row n when j &gt; position n.</summary>
    internal Tensor BlockedForStep(Tensor positions, long width) =>
        slotIndex.narrow(0, 0, width).view(1, -1).gt(positions).view(-1, 1, 1, 1, width);

    /// <summary>
    /// A decode step over the first N' slots ((N', 1) positions, and the same on the host: −1 for a free slot): row
    /// n's one new key/value goes to position n of its slot. Where <see cref="ReadsExactly"/>, each row attends exactly
    /// its own positions (<see cref="DecodeAttention"/>); elsewhere attention runs per segment of consecutive slots,
    /// each reading only as far as its longest row needs.
    /// </summary>
    internal IKeyValueStore ForStep(Tensor positions, ReadOnlySpan<int> hostPositions, IReadOnlyList<SlotSegment> segments)
    {
        var lengths = new int[hostPositions.Length];
        for (var n = 0; n < lengths.Length; n++)
            lengths[n] = hostPositions[n] + 1;                                     // a free slot's −1 reads nothing
        var flatRows = positions.expand(-1, kvHeads).reshape(-1) + rowStarts.narrow(0, 0, positions.shape[0] * kvHeads);   // (N'·kvH)
        return new StepWriter(this, flatRows, lengths, segments);
    }

    /// <summary>
    /// Prefill of U prompts, right-padded to <paramref name="width"/>, for J joining rows: row j goes to slot
    /// <paramref name="slots"/>[j] and is a sample of prompt <paramref name="promptOfRow"/>[j] ((J) int64 each).
    /// The prefill's queries see the prompts' own keys only.
    /// </summary>
    internal IKeyValueStore ForPrefill(Tensor slots, Tensor promptOfRow, long width) =>
        new PrefillWriter(FlatPositions(slots, width), slots.shape[0], promptOfRow, this);

    /// <summary>Moves the first <paramref name="width"/> positions of slots <paramref name="from"/> to slots <paramref name="to"/> ((M) int64 each; all read before any is written).</summary>
    internal void Move(Tensor from, Tensor to, long width)
    {
        using var scope = NewDisposeScope();
        var source = FlatPositions(from, width);
        var target = FlatPositions(to, width);
        foreach (var store in keys.Concat(values))
        {
            var flat = store.view(-1, store.shape[3]);                                // (N·kvH·L, D)
            flat.index_copy_(0, target, flat.index_select(0, source));
        }
    }

    /// <summary>(S) slots → (S·kvH·width) rows of a layer's flat (N·kvH·L, D) view: slot s, kv head h, position p is row (s·kvH + h)·L + p.</summary>
    private Tensor FlatPositions(Tensor slots, long width)
    {
        var heads = slots.view(-1, 1) * kvHeads + arange(kvHeads, ScalarType.Int64, slots.device);   // (S, kvH)
        return (heads.view(-1, 1) * SlotTokens + slotIndex.narrow(0, 0, width)).view(-1);
    }

    public void Dispose()
    {
        foreach (var t in keys.Concat(values).Append(rowStarts).Append(slotIndex))
            t.Dispose();
    }

    private sealed class StepWriter(SlotKvCache cache, Tensor flatRows, int[] lengths, IReadOnlyList<SlotSegment> segments) : IKeyValueStore
    {
        public Tensor Attend(int layer, Tensor grouped, Tensor newKeys, Tensor newValues, Tensor blocked)
        {
            Tensor keys = cache.keys[layer], values = cache.values[layer];          // (N, kvH, L, D)
            Write(keys, newKeys);
            Write(values, newValues);
            if (cache.ReadsExactly && DecodeAttention.Serves(grouped, keys))
                return DecodeAttention.Attend(grouped, keys, values, lengths);      // (N', kvH, G, D)
            var parts = segments.Select(s => Attention.Attend(
                grouped.narrow(0, s.Start, s.Count),
                keys.narrow(0, s.Start, s.Count).narrow(2, 0, s.Width),
                values.narrow(0, s.Start, s.Count).narrow(2, 0, s.Width),
                blocked.narrow(0, s.Start, s.Count).narrow(-1, 0, s.Width))).ToArray();   // (count, kvH, G, D) each
            return parts.Length == 1 ? parts[0] : cat(parts, 0);                    // (N', kvH, G, D)
        }

        private void Write(Tensor store, Tensor fresh)   // fresh (N, kvH, 1, D)
        {
            var d = store.shape[3];
            store.view(-1, d).index_copy_(0, flatRows, fresh.reshape(-1, d));
        }
    }

    /// <summary>Writes a prefill's keys/values through the flat view (contiguous writes, whatever the width) and attends within the prompts.</summary>
    private sealed class PrefillWriter(Tensor flatPositions, long rows, Tensor promptOfRow, SlotKvCache cache) : IKeyValueStore
    {
        public Tensor Attend(int layer, Tensor grouped, Tensor newKeys, Tensor newValues, Tensor blocked)
        {
            Write(cache.keys[layer], newKeys);
            Write(cache.values[layer], newValues);
            return Attention.Attend(grouped, newKeys, newValues, blocked);    // (U, kvH, G·P, D)
        }

        private void Write(Tensor store, Tensor fresh)   // fresh (U, kvH, width, D)
        {
            var perRow = fresh.shape[0] == rows ? fresh : fresh.index_select(0, promptOfRow);   // (J, kvH, width, D)
            var d = store.shape[3];
            store.view(-1, d).index_copy_(0, flatPositions, perRow.reshape(-1, d));
        }
    }
}

/// <summary>Slots [Start, Start + Count) of a <see cref="SlotKvCache"/>, whose rows attend to their first Width positions.</summary>
internal readonly record struct SlotSegment(int Start, int Count, long Width);
