namespace R1Actors.Pipeline.Data;

/// <summary>
/// The training order over a dataset: epoch after epoch, each a permutation drawn from (data seed, epoch) when
/// shuffling is on. Prompt number <c>ordinal</c> is at cursor (ordinal / N, ordinal % N) for N prompts, so a
/// cursor from a checkpoint names one prompt exactly, also across an epoch boundary.
/// </summary>
public sealed class PromptStream
{
    public PromptStream(IPromptDataset dataset, bool shuffle, ulong dataSeed, long maxEpochs)
    {
        if (dataset.Count == 0)
            throw new ArgumentException($"{dataset.Description} holds no prompts", nameof(dataset));
        ArgumentOutOfRangeException.ThrowIfNegative(maxEpochs);
        Dataset = dataset;
        Shuffle = shuffle;
        DataSeed = dataSeed;
        MaxEpochs = maxEpochs;
    }

    public IPromptDataset Dataset { get; }

    public bool Shuffle { get; }

    public ulong DataSeed { get; }

    /// <summary>Passes over the dataset before the stream ends; 0 means it never ends.</summary>
    public long MaxEpochs { get; }

    public long Count => Dataset.Count;

    public PromptCursor CursorOf(long ordinal) => new(ordinal / Count, ordinal % Count);

    public long OrdinalOf(PromptCursor cursor)
    {
        if (cursor.Epoch < 0 || cursor.Position < 0 || cursor.Position >= Count)
            throw new ArgumentOutOfRangeException(nameof(cursor), cursor, $"outside a dataset of {Count} prompts");
        return cursor.Epoch * Count + cursor.Position;
    }

    /// <summary>The dataset index each position of the epoch reads (Fisher–Yates over a seeded generator).</summary>
    public int[] Order(long epoch)
    {
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (!Shuffle)
            return order;
        var random = new SplitMix64(Seeds.ForEpoch(DataSeed, epoch));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// The prompts from <paramref name="next"/> on, leaving out those already consumed ahead of it, until
    /// <see cref="MaxEpochs"/> epochs are done (or forever).
    /// </summary>
    public IEnumerable<IssuedPrompt> From(PromptCursor next, IReadOnlyCollection<PromptCursor> consumedAhead)
    {
        var skip = consumedAhead.Select(OrdinalOf).ToHashSet();
        var ordinal = OrdinalOf(next);
        var epoch = -1L;
        int[] order = [];
        while (MaxEpochs == 0 || ordinal < MaxEpochs * Count)
        {
            if (!skip.Remove(ordinal))
            {
                var cursor = CursorOf(ordinal);
                if (cursor.Epoch != epoch)
                    (epoch, order) = (cursor.Epoch, Order(cursor.Epoch));
                yield return new IssuedPrompt(ordinal, cursor, Dataset.Get(order[cursor.Position]));
            }
            ordinal++;
        }
    }
}
