namespace R1Actors.Pipeline.Metrics;

/// <summary>
/// Accumulates the time a device spends inside <c>Generate</c>. Read at any moment, it counts a batch still in
/// progress up to that moment, so busy fractions over short windows are not aliased by batch boundaries.
/// </summary>
public sealed class BusyClock(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _busyTicks;
    private long? _startedAt;

    public void Start()
    {
        lock (_gate)
            _startedAt = time.GetTimestamp();
    }

    public void Stop()
    {
        lock (_gate)
        {
            if (_startedAt is { } started)
                _busyTicks += time.GetTimestamp() - started;
            _startedAt = null;
        }
    }

    /// <summary>Total busy time up to the timestamp <paramref name="now"/> (from the same TimeProvider).</summary>
    public TimeSpan BusyAt(long now)
    {
        lock (_gate)
        {
            var ticks = _busyTicks + (_startedAt is { } started ? now - started : 0);
            return TimeSpan.FromSeconds((double)ticks / time.TimestampFrequency);
        }
    }
}
