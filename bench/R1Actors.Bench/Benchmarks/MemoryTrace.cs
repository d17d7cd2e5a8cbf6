using System.Globalization;
using R1Actors.Hosting;

namespace R1Actors.Bench.Benchmarks;

/// <summary>The daemon's memory right after one learner step, from the step's event (sampled in the daemon itself).</summary>
public sealed record StepMemory(long Step, double ElapsedSeconds, long ResidentBytes, long ManagedCommittedBytes);

/// <summary>The daemon's memory as the bench saw it from outside (<c>/proc/PID/status</c>), once a second.</summary>
public sealed record TimelineMemory(double ElapsedSeconds, ProcessMemory Memory);

/// <summary>Resident memory over a run of consecutive steps: the sample at the window's mark, and the median and range over it.</summary>
public sealed record RssWindow(StepMemory AtMark, long FromStep, long ToStep, long MedianBytes, long MinBytes, long MaxBytes)
{
    public static RssWindow Of(StepMemory atMark, IReadOnlyList<StepMemory> window)
    {
        var sorted = window.Select(s => s.ResidentBytes).Order().ToList();
        return new RssWindow(atMark, window[0].Step, window[^1].Step, sorted[(sorted.Count - 1) / 2], sorted[0], sorted[^1]);
    }
}

/// <summary>
/// Growth of resident memory from "after the early step" to "after the last step". One sample catches the process at
/// one moment, and an allocator that returns memory on a timer (jemalloc purges dirty pages after seconds) moves a
/// sample by several percent from step to step; so each side is the median over a window of steps — the steps from
/// the early step on, and the steps up to the last — and growth compares the medians. The samples at the two marks
/// and the least-squares trend over every step in between are given too (a leak shows as a steady slope).
/// </summary>
public sealed record MemoryGrowth(RssWindow Early, RssWindow Final, double TrendBytesPerThousandSteps)
{
    public double GrowthPercent => Percent(Early.MedianBytes, Final.MedianBytes);

    /// <summary>Growth between the single samples at the two marks.</summary>
    public double PointGrowthPercent => Percent(Early.AtMark.ResidentBytes, Final.AtMark.ResidentBytes);

    public bool IsWithin(double percent) => GrowthPercent <= percent;

    /// <summary>
    /// Compares the <paramref name="window"/> steps from <paramref name="earlyStep"/> on with the <paramref name="window"/>
    /// steps up to the last one; null when the trace does not reach past the early window.
    /// </summary>
    /// <example>Median RSS 300 MiB over steps 100-149 and 309 MiB over steps 951-1,000: growth 3 %.</example>
    public static MemoryGrowth? Measure(IReadOnlyList<StepMemory> steps, long earlyStep, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var fromEarly = steps.Where(s => s.Step >= earlyStep).ToList();
        if (fromEarly.Count < 2)
            return null;
        var early = fromEarly.TakeWhile(s => s.Step < fromEarly[0].Step + window).ToList();
        var final = fromEarly.Where(s => s.Step > fromEarly[^1].Step - window && s.Step > early[^1].Step).ToList();
        if (final.Count == 0)
            return null;
        return new MemoryGrowth(RssWindow.Of(fromEarly[0], early), RssWindow.Of(fromEarly[^1], final), Slope(fromEarly) * 1000);
    }

    private static double Percent(long from, long to) => (to - from) * 100.0 / from;

    /// <summary>Least-squares slope of resident bytes against step.</summary>
    private static double Slope(IReadOnlyList<StepMemory> steps)
    {
        var meanStep = steps.Average(s => (double)s.Step);
        var meanBytes = steps.Average(s => (double)s.ResidentBytes);
        var covariance = steps.Sum(s => (s.Step - meanStep) * (s.ResidentBytes - meanBytes));
        var variance = steps.Sum(s => (s.Step - meanStep) * (s.Step - meanStep));
        return variance > 0 ? covariance / variance : 0;
    }
}

/// <summary>The CSV files the memory bench leaves for plotting growth curves (MiB, one decimal).</summary>
public static class MemoryCsv
{
    private const double MiB = 1024 * 1024;

    public static void WriteSteps(string path, IReadOnlyList<StepMemory> steps) =>
        File.WriteAllLines(path, ["step,elapsed_s,rss_mib,dotnet_committed_mib",
            .. steps.Select(s => Row(s.Step, s.ElapsedSeconds, s.ResidentBytes / MiB, s.ManagedCommittedBytes / MiB))]);

    public static void WriteTimeline(string path, IReadOnlyList<TimelineMemory> timeline) =>
        File.WriteAllLines(path, ["elapsed_s,rss_mib,rss_anon_mib,rss_file_mib,peak_rss_mib",
            .. timeline.Select(t => Row(t.ElapsedSeconds, t.Memory.Resident / MiB, t.Memory.ResidentAnonymous / MiB, t.Memory.ResidentFile / MiB, t.Memory.PeakResident / MiB))]);

    /// <summary>One column of resident MiB per run, by step: the runs side by side.</summary>
    public static void WriteSideBySide(string path, IReadOnlyList<(string Name, IReadOnlyList<StepMemory> Steps)> runs)
    {
        var byRun = runs.Select(r => r.Steps.ToDictionary(s => s.Step, s => s.ResidentBytes / MiB)).ToList();
        var steps = byRun.SelectMany(r => r.Keys).Distinct().Order();
        File.WriteAllLines(path, [string.Join(',', ["step", .. runs.Select(r => r.Name)]),
            .. steps.Select(step => string.Join(',', [step.ToString(CultureInfo.InvariantCulture),
                .. byRun.Select(r => r.TryGetValue(step, out var mib) ? mib.ToString("F1", CultureInfo.InvariantCulture) : "")]))]);
    }

    private static string Row(params double[] values) =>
        string.Join(',', values.Select((v, i) => v.ToString(i == 0 ? "0.#" : "F1", CultureInfo.InvariantCulture)));
}
