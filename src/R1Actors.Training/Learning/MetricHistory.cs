namespace R1Actors.Training.Learning;

/// <summary>
/// The metrics of the most recent steps, oldest first, bounded so a run of many days does not grow its
/// checkpoints without limit. Saved in <c>trainer_state.json</c> and restored on resume.
/// </summary>
public sealed class MetricHistory
{
    private readonly Queue<IReadOnlyDictionary<string, double>> _entries = new();

    public MetricHistory(int capacity)
    {
        if (capacity < 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"r1.training.checkpoint.metric-history must be ≥ 0, got {capacity}");
        Capacity = capacity;
    }

    public int Capacity { get; }

    public IReadOnlyCollection<IReadOnlyDictionary<string, double>> Entries => _entries;

    public void Add(IReadOnlyDictionary<string, double> metrics)
    {
        if (Capacity == 0)
            return;
        _entries.Enqueue(metrics);
        while (_entries.Count > Capacity)
            _entries.Dequeue();
    }

    /// <summary>Replaces the contents (on resume); keeps the newest entries when there are more than fit.</summary>
    public void Restore(IEnumerable<IReadOnlyDictionary<string, double>> entries)
    {
        _entries.Clear();
        foreach (var entry in entries)
            Add(entry);
    }
}
