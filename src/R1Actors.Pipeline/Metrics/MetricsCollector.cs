using System.Globalization;

namespace R1Actors.Pipeline.Metrics;

/// <summary>What the learner knows about the step it just took, for <see cref="MetricsCollector.Collect"/>.</summary>
public sealed record StepFacts(
    long Step,
    long PolicyVersion,
    long RolloutsTrained,
    IReadOnlyDictionary<long, long> Staleness,
    long DroppedRollouts,
    long DroppedRolloutsTotal,
    int DiscardedGroups = 0)
{
    /// <summary>Largest and mean staleness over the completion tokens trained on.</summary>
    public (long Max, double Mean) TokenStaleness { get; init; }
}

/// <summary>
/// Turns the running counters and clocks into one <see cref="PipelineMetrics"/> per step: busy fractions and
/// rates over the time since the previous step, queue depths and in-flight prompts as they are now.
/// </summary>
public sealed class MetricsCollector
{
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, BusyClock> _samplerClocks;
    private readonly Dictionary<string, TimeSpan> _busyBefore = new(StringComparer.Ordinal);
    private readonly Func<long> _inFlightPrompts;
    private readonly int _groupSize;
    private long _before;
    private long _faultsBefore;

    public MetricsCollector(
        TimeProvider time,
        IReadOnlyDictionary<string, BusyClock> samplerClocks,
        StageCounters counters,
        LatencyWindow verifierLatency,
        Func<long> inFlightPrompts,
        int groupSize)
    {
        _time = time;
        _samplerClocks = samplerClocks;
        Counters = counters;
        VerifierLatency = verifierLatency;
        _inFlightPrompts = inFlightPrompts;
        _groupSize = groupSize;
        _before = time.GetTimestamp();
        foreach (var (device, clock) in samplerClocks)
            _busyBefore[device] = clock.BusyAt(_before);
    }

    public StageCounters Counters { get; }

    public LatencyWindow VerifierLatency { get; }

    /// <summary>A cluster run's sampler nodes, read once a step; null in one process.</summary>
    public Cluster.SamplerNodeLedger? Nodes { get; init; }

    public PipelineMetrics Collect(StepFacts facts)
    {
        var now = _time.GetTimestamp();
        var wall = _time.GetElapsedTime(_before, now);
        var busy = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (device, clock) in _samplerClocks)
        {
            var total = clock.BusyAt(now);
            busy[device] = wall > TimeSpan.Zero ? Math.Clamp((total - _busyBefore[device]) / wall, 0, 1) : 0;
            _busyBefore[device] = total;
        }
        _before = now;
        var faults = Counters.VerifierFaults;
        var latency = VerifierLatency.TakePercentiles();
        var metrics = new PipelineMetrics(
            facts.Step,
            facts.PolicyVersion,
            wall.TotalSeconds,
            facts.RolloutsTrained,
            wall > TimeSpan.Zero ? facts.RolloutsTrained / wall.TotalSeconds : 0,
            busy,
            busy.Count == 0 ? 0 : busy.Values.Min(),
            Counters.Depths(_groupSize),
            _inFlightPrompts(),
            latency.P50Ms,
            latency.P90Ms,
            latency.P99Ms,
            faults - _faultsBefore,
            facts.Staleness.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
            facts.DroppedRollouts,
            facts.DroppedRolloutsTotal,
            facts.DiscardedGroups)
        {
            TokenStalenessMax = facts.TokenStaleness.Max,
            TokenStalenessMean = facts.TokenStaleness.Mean,
            SamplerNodes = Nodes?.TakeStep() ?? new Dictionary<string, Cluster.SamplerNodeFigures>(),
        };
        _faultsBefore = faults;
        return metrics;
    }
}
