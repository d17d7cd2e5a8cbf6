using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// The rows still being generated and their device-side state between steps: the next-token logits, the
/// last drawn tokens, the per-row uniforms, and the draws not yet looked at by the host. Slot i of the
/// device batch is original row <c>rowOfSlot[i]</c>.
/// </summary>
internal sealed class ActiveRows(int rowCount, Tensor uniforms) : IDisposable
{
    private readonly UnsettledDraws unsettled = new();
    private int[] rowOfSlot = [.. Enumerable.Range(0, rowCount)];
    private Tensor? uniforms = uniforms;            // (R, maxNew)
    private Tensor? logits;                         // (R, V)
    private Tensor? lastTokens;                     // (R)

    public Tensor LastTokens => lastTokens!;

    public void SetLogits(Tensor next) => TensorSlot.Replace(ref logits, next);

    public void Sample(ITokenChooser chooser, int step)
    {
        using var scope = NewDisposeScope();
        var (tokens, logProbs, filtered) = chooser.Choose(logits!, uniforms!.select(1, step));
        unsettled.Add(tokens, logProbs, filtered);
        TensorSlot.Replace(ref lastTokens, tokens);
    }

    /// <summary>Copies the unsettled draws to the host and feeds them to the rows, in step order; false once every row has finished.</summary>
    public bool Settle(RowProgress[] rows, IReadOnlyList<byte[]> stopStrings)
    {
        var (draws, steps) = unsettled.Take();
        var slots = rowOfSlot.Length;
        for (var s = 0; s < steps; s++)
            for (var slot = 0; slot < slots; slot++)
                rows[rowOfSlot[slot]].Accept(
                    (int)draws[s * slots + slot], draws[(steps + s) * slots + slot], draws[(2 * steps + s) * slots + slot], stopStrings);
        return rowOfSlot.Any(r => !rows[r].Finished);
    }

    /// <summary>Drops finished rows when few enough remain that the copy pays for itself.</summary>
    public void CompactIfWorthIt(RowProgress[] rows, IStepDecoder decoder, double belowFraction)
    {
        var keep = Enumerable.Range(0, rowOfSlot.Length).Where(slot => !rows[rowOfSlot[slot]].Finished).ToArray();
        if (keep.Length == rowOfSlot.Length || keep.Length > belowFraction * rowOfSlot.Length)
            return;
        using var scope = NewDisposeScope();
        var index = tensor(keep.Select(k => (long)k).ToArray()).to(uniforms!.device);
        decoder.KeepRows(index);
        TensorSlot.Replace(ref uniforms, uniforms.index_select(0, index));
        TensorSlot.Replace(ref lastTokens, lastTokens!.index_select(0, index));
        rowOfSlot = [.. keep.Select(slot => rowOfSlot[slot])];
    }

    public void Dispose()
    {
        unsettled.Dispose();
        uniforms?.Dispose();
        logits?.Dispose();
        lastTokens?.Dispose();
    }
}

/// <summary>Draws made on the device and not yet looked at by the host, one (3, R) tensor per step.</summary>
internal sealed class UnsettledDraws : IDisposable
{
    private readonly List<Tensor> steps = [];   // per step (3, R): token, log-prob, filtered log-prob

    public int Count => steps.Count;

    /// <summary>One step's (R') draws, zero-padded to <paramref name="rows"/> columns when R' is fewer.</summary>
    public void Add(Tensor tokens, Tensor logProbs, Tensor filteredLogProbs, long rows = -1)
    {
        var draws = stack([tokens.to(ScalarType.Float32), logProbs, filteredLogProbs]);     // (3, R')
        if (rows > draws.shape[1])
            draws = nn.functional.pad(draws, [0, rows - draws.shape[1]]);                    // (3, rows)
        steps.Add(draws.DetachFromDisposeScope());
    }

    /// <summary>All of them, copied to the host once: [kind · steps · R + step · R + row], kinds token, log-prob, filtered.</summary>
    public (float[] Draws, int Steps) Take()
    {
        float[] host;
        using (var scope = NewDisposeScope())
            host = stack(steps, 1).cpu().data<float>().ToArray();                 // (3, steps, R)
        var count = steps.Count;
        Dispose();
        return (host, count);
    }

    public void Dispose()
    {
        steps.ForEach(t => t.Dispose());
        steps.Clear();
    }
}

/// <summary>Swaps a long-lived tensor field for a new value, detached from any dispose scope, disposing the old one.</summary>
internal static class TensorSlot
{
    public static void Replace(ref Tensor? slot, Tensor value)
    {
        var kept = value.DetachFromDisposeScope();
        if (!ReferenceEquals(slot, kept))
            slot?.Dispose();
        slot = kept;
    }
}
