namespace R1Actors.Policy.Sampling;

/// <summary>
/// One prompt's samples for a <see cref="ContinuousBatcher"/>: one seed per sample (sample order, see
/// <see cref="SampleSeed.Derive"/>) and, optionally, a token limit per sample at most max-new-tokens (the sample
/// ends there as <c>length</c>). <see cref="Key"/> is the caller's: it comes back on the finished group.
/// </summary>
public sealed record SampleGroup(long Key, IReadOnlyList<int> Prompt, IReadOnlyList<ulong> Seeds, IReadOnlyList<int>? TokenLimits = null);

/// <summary>A group whose samples have all finished, in sample order; each token carries the weights version that drew it.</summary>
public sealed record FinishedGroup(long Key, IReadOnlyList<GeneratedSequence> Sequences, IReadOnlyList<IReadOnlyList<long>> TokenVersions);

/// <summary>
/// Where a <see cref="ContinuousBatcher"/>'s time went and how full it kept its slots. Occupancy is mean active
/// rows ÷ slots over decode steps, the figure a static batch's drain lowers.
/// </summary>
public sealed record BatcherStats(
    int Slots,
    long DecodeSteps,
    long ActiveRowSteps,
    long JoinedRows,
    long PrefillTokens,
    long RefusedPrompts,
    TimeSpan JoinTime,
    TimeSpan SampleTime,
    TimeSpan SettleTime,
    TimeSpan DecodeTime)
{
    /// <summary>
    /// Rows that joined by copying their prompt's keys and values from a sibling's slot (a sample of the same group in
    /// flight, its prompt read with the same weights) instead of reading the prompt again; <see cref="PrefillTokens"/>
    /// counts only the prompts read.
    /// </summary>
    public long PromptsCopied { get; init; }

    /// <summary>Rows copied to another slot to keep rows ranked by position across chunks.</summary>
    public long RowsMoved { get; init; }

    /// <summary>Key positions attention read, summed over slots and decode steps.</summary>
    public long AttentionPositionsRead { get; init; }

    /// <summary>Key positions the rows in flight needed (each its own length), summed over decode steps.</summary>
    public long AttentionPositionsNeeded { get; init; }

    /// <summary>Key positions attention would have read with all slots in one segment (as wide as the longest row).</summary>
    public long AttentionPositionsUnsegmented { get; init; }

    public double Occupancy => DecodeSteps == 0 ? 0 : ActiveRowSteps / ((double)DecodeSteps * Slots);
}

internal static class PromptChecks
{
    /// <summary>Why a prompt cannot be sampled by a model of <paramref name="vocabSize"/> tokens, or null.</summary>
    public static string? Problem(IReadOnlyList<int> prompt, int vocabSize)
    {
        if (prompt.Count == 0)
            return "every prompt needs at least one token";
        var outOfRange = prompt.FirstOrDefault(id => id < 0 || id >= vocabSize, -1);
        return outOfRange == -1 ? null : $"prompt token id {outOfRange} is outside the model's vocabulary (0..{vocabSize - 1})";
    }
}
