namespace R1Actors.Pipeline.Metrics;

/// <summary>Latency percentiles over one reporting window, in milliseconds.</summary>
public readonly record struct LatencyPercentiles(double P50Ms, double P90Ms, double P99Ms, int Count);

/// <summary>
/// Collects latencies between two reports and hands out their percentiles, starting a fresh window each time.
/// Holds at most <c>capacity</c> samples (a uniform reservoir past that), so a long window costs bounded memory.
/// </summary>
public sealed class LatencyWindow(int capacity = 8192)
{
    private readonly Lock _gate = new();
    private readonly List<double> _samples = new(Math.Min(capacity, 1024));
    private long _seen;
    private SplitMix64 _random = new(0x4C4154);

    public void Record(TimeSpan latency)
    {
        lock (_gate)
        {
            _seen++;
            if (_samples.Count < capacity)
            {
                _samples.Add(latency.TotalMilliseconds);
                return;
            }
            var slot = (long)(_random.NextDouble() * _seen);
            if (slot < capacity)
                _samples[(int)slot] = latency.TotalMilliseconds;
        }
    }

    public LatencyPercentiles TakePercentiles()
    {
        double[] sorted;
        lock (_gate)
        {
            sorted = [.. _samples];
            _samples.Clear();
            _seen = 0;
        }
        Array.Sort(sorted);
        return new LatencyPercentiles(At(sorted, 0.50), At(sorted, 0.90), At(sorted, 0.99), sorted.Length);
    }

    /// <summary>Nearest-rank percentile; 0 for an empty window.</summary>
    private static double At(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
