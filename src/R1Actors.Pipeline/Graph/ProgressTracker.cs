namespace R1Actors.Pipeline.Graph;

/// <summary>
/// Which prompts are done (trained on, or dropped as stale): everything before <see cref="Next"/>, plus the
/// few after it in <see cref="Ahead"/> that finished out of order. That pair is the resume point: a resumed
/// run issues every prompt from <see cref="Next"/> on except those in <see cref="Ahead"/>.
/// </summary>
public sealed class ProgressTracker
{
    private readonly SortedSet<long> _ahead;

    public ProgressTracker(long next, IEnumerable<long> ahead)
    {
        Next = next;
        _ahead = new SortedSet<long>(ahead.Where(a => a > next));
        Advance();
    }

    public long Next { get; private set; }

    public IReadOnlyCollection<long> Ahead => _ahead;

    public void MarkDone(long ordinal)
    {
        if (ordinal < Next || !_ahead.Add(ordinal))
            throw new InvalidOperationException($"prompt {ordinal} was already consumed once; the pipeline would train on it twice");
        Advance();
    }

    private void Advance()
    {
        while (_ahead.Count > 0 && _ahead.Min == Next)
        {
            _ahead.Remove(Next);
            Next++;
        }
    }
}
