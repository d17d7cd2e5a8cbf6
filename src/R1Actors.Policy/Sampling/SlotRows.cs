using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// The device side of continuous batching, one row per slot of a <see cref="SlotKvCache"/>, all preallocated
/// and detached: next-token logits, the tokens just drawn, each row's position and draw count, which slots are
/// active, and each row's uniforms. A step computes the first N' slots through views (free ones among them on
/// stale values, never read): nothing is gathered, compacted or reallocated; the host changes a slot only when a
/// row joins, leaves or moves.
/// </summary>
internal sealed class SlotRows : IDisposable
{
    private readonly CausalLanguageModel model;
    private readonly SlotKvCache cache;
    private readonly UnsettledDraws unsettled = new();
    private readonly Tensor logits;                 // (N, V) float32
    private readonly Tensor positions;              // (N, 1) int64: where the next fed token goes in its slot
    private readonly Tensor draws;                  // (N, 1) int64: how many tokens the row has drawn
    private readonly Tensor active;                 // (N, 1) int64: 1 while a row holds the slot
    private readonly Tensor uniforms;               // (N, maxNew) float32
    private readonly int maxNew;
    private readonly Tensor lastTokens;             // (N) int64

    public SlotRows(CausalLanguageModel model, SlotKvCache cache, int maxNewTokens)
    {
        this.model = model;
        this.cache = cache;
        maxNew = maxNewTokens;
        var n = cache.Slots;
        logits = zeros([n, model.Config.VocabSize], ScalarType.Float32, model.Device).DetachFromDisposeScope();
        positions = zeros([n, 1], ScalarType.Int64, model.Device).DetachFromDisposeScope();
        draws = zeros([n, 1], ScalarType.Int64, model.Device).DetachFromDisposeScope();
        active = zeros([n, 1], ScalarType.Int64, model.Device).DetachFromDisposeScope();
        uniforms = full([n, maxNewTokens], 0.5f, ScalarType.Float32, model.Device).DetachFromDisposeScope();
        lastTokens = zeros([n], ScalarType.Int64, model.Device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Draws a token for each of the first <paramref name="inUse"/> slots (every row in flight lies there) from its
    /// logits and its next uniform; the draws wait on the device for <see cref="TakeDraws"/>.
    /// </summary>
    public void Sample(ITokenChooser chooser, int inUse)
    {
        using var scope = NewDisposeScope();
        var (tokens, logProbs, filtered) = chooser.Choose(logits.narrow(0, 0, inUse),
            uniforms.narrow(0, 0, inUse).gather(1, draws.narrow(0, 0, inUse)).squeeze(1));   // (N') each
        unsettled.Add(tokens, logProbs, filtered, cache.Slots);
        lastTokens.narrow(0, 0, inUse).copy_(tokens);
        draws.add_(active).clamp_max_(maxNew - 1);
    }

    /// <summary>The draws since the last call, copied to the host once (see <see cref="UnsettledDraws.Take"/>).</summary>
    public (float[] Draws, int Steps) TakeDraws() => unsettled.Take();

    /// <summary>
    /// Feeds the first N' slots (the segments cover exactly those) their last drawn token; each segment's queries see
    /// its first <c>Width</c> positions. Slots past N' are free and cost nothing.
    /// </summary>
    /// <param name="hostPositions">The first N' slots' positions as the host keeps them (−1 for a free slot).</param>
    public void Decode(IReadOnlyList<SlotSegment> segments, ReadOnlySpan<int> hostPositions)
    {
        using var scope = NewDisposeScope();
        var inUse = segments[^1].Start + segments[^1].Count;
        var fed = positions.narrow(0, 0, inUse);                                                  // (N', 1)
        var blocked = cache.BlockedForStep(fed, segments.Max(s => s.Width));                      // (N', 1, 1, 1, W)
        var hidden = model.DecodeInto(cache.ForStep(fed, hostPositions, segments), lastTokens.narrow(0, 0, inUse).unsqueeze(1), fed, blocked);   // (N', 1, H)
        logits.narrow(0, 0, inUse).copy_(model.Logits(hidden.squeeze(1)));                       // (N', V)
        positions.add_(active).clamp_max_(cache.SlotTokens - 1);
    }

    /// <summary>Moves rows between slots, cache and state together: slot <paramref name="from"/>[m] goes to <paramref name="to"/>[m], every source read before any target is written.</summary>
    public void Move(long[] from, long[] to, long width)
    {
        using var scope = NewDisposeScope();
        var source = tensor(from, device: model.Device);
        var target = tensor(to, device: model.Device);
        cache.Move(source, target, width);
        foreach (var state in new[] { positions, draws, active, uniforms, lastTokens })
            state.index_copy_(0, target, state.index_select(0, source));
    }

    /// <summary>
    /// J rows join: each reads its prompt (one prefill for the U distinct prompts, right-padded), which fills
    /// positions 0 … P − 1 of its slot; its logits, position, draw count and uniforms replace the slot's.
    /// Returns, for each prompt marked in <paramref name="keepLogits"/>, its next-token logits ((V) float32, detached:
    /// the caller disposes them), so that its later samples can join by <see cref="JoinCopied"/>.
    /// </summary>
    /// <param name="prompts">U distinct prompts.</param>
    /// <param name="promptOfRow">J: which prompt each joining row samples.</param>
    /// <param name="slots">J: the free slot each row takes.</param>
    /// <param name="rowUniforms">J × maxNew: each row's uniforms, row-major.</param>
    public Tensor?[] Join(IReadOnlyList<IReadOnlyList<int>> prompts, long[] promptOfRow, long[] slots, float[] rowUniforms, bool[] keepLogits)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        using var batch = TokenBatch.RightPadded(prompts, padId: 0, device);
        long count = prompts.Count, width = batch.Ids.shape[1];
        var lengths = tensor(prompts.Select(p => (long)p.Count).ToArray(), device: device);       // (U)
        var slotRows = tensor(slots, device: device);                                             // (J)
        var promptRows = tensor(promptOfRow, device: device);                                     // (J)
        var columns = arange(width, ScalarType.Int64, device);
        var future = columns.view(1, -1).gt(columns.view(-1, 1));                                // (P, P)
        var padding = columns.view(1, 1, -1).ge(lengths.view(-1, 1, 1));                         // (U, 1, P)
        var blocked = future.unsqueeze(0).logical_or(padding).view(count, 1, 1, width, width);   // (U, 1, 1, P, P)
        var hidden = model.DecodeInto(cache.ForPrefill(slotRows, promptRows, width),
            batch.Ids, columns.view(1, -1).expand(count, -1), blocked);                          // (U, P, H)
        var lastIndex = (lengths - 1).view(-1, 1, 1).expand(-1, 1, hidden.shape[2]);
        var last = hidden.gather(1, lastIndex).squeeze(1).index_select(0, promptRows);             // (J, H)
        var rowLogits = model.Logits(last).to(ScalarType.Float32);                                 // (J, V)
        logits.index_copy_(0, slotRows, rowLogits);
        positions.index_copy_(0, slotRows, lengths.index_select(0, promptRows).view(-1, 1));
        Admit(slotRows, rowUniforms);
        return [.. keepLogits.Select((keep, u) => keep ? rowLogits[Array.IndexOf(promptOfRow, (long)u)].clone().DetachFromDisposeScope() : null)];
    }

    /// <summary>
    /// J rows join without reading their prompts: row j's prompt lies at positions 0 … P_j − 1 of slot
    /// <paramref name="siblings"/>[j] (a row of the same group in flight, which writes only after its prompt), and is
    /// copied to slot <paramref name="slots"/>[j]; its next-token logits are <paramref name="promptLogits"/>[j], as
    /// <see cref="Join"/> returned them.
    /// </summary>
    public void JoinCopied(long[] siblings, long[] slots, long[] promptLengths, IReadOnlyList<Tensor> promptLogits, float[] rowUniforms)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        var slotRows = tensor(slots, device: device);
        cache.Move(tensor(siblings, device: device), slotRows, promptLengths.Max());
        logits.index_copy_(0, slotRows, stack(promptLogits));
        positions.index_copy_(0, slotRows, tensor(promptLengths, device: device).view(-1, 1));
        Admit(slotRows, rowUniforms);
    }

    /// <summary>Joining rows start drawing: no draws yet, active, their own uniforms.</summary>
    private void Admit(Tensor slotRows, float[] rowUniforms)
    {
        draws.index_fill_(0, slotRows, 0);
        active.index_fill_(0, slotRows, 1);
        uniforms.index_copy_(0, slotRows, tensor(rowUniforms, [slotRows.shape[0], maxNew], device: model.Device));
    }

    /// <summary>The rows in these slots have finished: their slots stop advancing until the next row joins.</summary>
    public void Release(IReadOnlyList<long> slots)
    {
        using var scope = NewDisposeScope();
        active.index_fill_(0, tensor(slots.ToArray(), device: model.Device), 0);
    }

    public void Dispose()
    {
        unsettled.Dispose();
        foreach (var t in new[] { logits, positions, draws, active, uniforms, lastTokens })
            t.Dispose();
    }
}
