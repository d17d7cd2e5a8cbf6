using System.Globalization;

namespace R1Actors.Bench.Benchmarks;

/// <param name="Daemon">What each child daemon runs.</param>
/// <param name="EarlyStep">The step whose resident size the last step is compared with (the issue: 100).</param>
/// <param name="Window">Steps whose median stands for "after the early step" and "after the last step".</param>
/// <param name="Variants">The allocator set-ups to run, one child each, in order.</param>
/// <param name="OutputFolder">Where each child's run folder, console log and CSV files go.</param>
public sealed record MemoryBenchOptions(DaemonRunSpec Daemon, long EarlyStep, int Window, IReadOnlyList<AllocatorVariant> Variants, string OutputFolder);

/// <summary>
/// <c>r1actors-bench memory</c>: a daemon that runs for days must not grow. Runs the embedded default for 1,000 learner
/// steps in a child daemon per allocator set-up and compares resident memory after 1,000 steps with that after 100
/// against the bar (within 5 %). The bar is judged on the configuration <c>make run</c> uses (the first
/// variant when make-run is not among them); the others are there to show what the allocator does.
/// Leaves, in the output folder: per variant <c>steps.csv</c> (RSS after every step), <c>timeline.csv</c> (RSS once a
/// second, start-up included), <c>console.log</c> and the daemon's run folder; and <c>rss-by-step.csv</c>, the
/// variants side by side.
/// </summary>
public static class MemoryBench
{
    /// <summary>The bar: RSS after the last step at most this much above RSS after the early step.</summary>
    public const double BarPercent = 5.0;

    public static async Task<IReadOnlyList<DaemonMemoryRun>> RunAsync(MemoryBenchOptions options, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var report = new BenchReport("memory", output);
        Header(report, options);
        Directory.CreateDirectory(options.OutputFolder);
        var daemon = new DaemonUnderTest(options.Daemon, progress);
        var runs = new List<DaemonMemoryRun>();
        foreach (var variant in options.Variants)
        {
            if (variant.Unavailable is { } reason)
            {
                report.Section($"{variant.Name}: {variant.Description}");
                report.Fact(Key(variant, "skipped"), "skipped", reason);
                continue;
            }
            progress.WriteLine($"  [{variant.Name}] {options.Daemon.Steps} steps in a child daemon ({variant.Description}) …");
            var run = await daemon.RunAsync(variant, Path.Combine(options.OutputFolder, variant.Name), cancellationToken).ConfigureAwait(false);
            runs.Add(run);
            WriteRun(report, run, options.EarlyStep, options.Window);
        }
        MemoryCsv.WriteSideBySide(Path.Combine(options.OutputFolder, "rss-by-step.csv"), [.. runs.Select(r => (r.Variant.Name, r.Steps))]);
        WriteVerdict(report, runs, options.EarlyStep, options.Window);
        report.Finish();
        return runs;
    }

    private static void Header(BenchReport report, MemoryBenchOptions options)
    {
        report.Section($"Resident memory of the training daemon ({options.Daemon.ConfigFile}), {options.Daemon.Steps} learner steps per allocator, one child daemon each");
        report.Fact("machine", "machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");
        report.Fact("config", "configuration", options.Daemon.ConfigFile);
        report.Figure("steps", "learner steps per run", options.Daemon.Steps, "", "F0");
        report.Figure("early_step", "compared with the RSS after step", options.EarlyStep, "", "F0");
        report.Figure("window_steps", "each side: the median over this many steps", options.Window, "", "F0");
        report.Figure("bar_percent", "bar: growth at most", BarPercent, "%", "F0");
        report.Fact("output", "RSS curves (CSV) and run folders", Path.GetFullPath(options.OutputFolder));
    }

    /// <summary>One variant's figures: the allocator in effect, RSS at both steps, growth, trend, peak and speed.</summary>
    public static void WriteRun(BenchReport report, DaemonMemoryRun run, long earlyStep, int window)
    {
        var v = run.Variant;
        report.Section($"{v.Name}: {v.Description}");
        report.Fact(Key(v, "allocator"), "allocator in effect (the daemon's start-up log)", run.Allocator);
        if (MemoryGrowth.Measure(run.Steps, earlyStep, window) is not { } growth)
        {
            report.Fact(Key(v, "growth"), "growth", $"not measured: the run logged {run.Steps.Count} steps, too few after step {earlyStep}");
            return;
        }
        var (early, final) = (growth.Early, growth.Final);
        report.Figure(Key(v, "rss_early_mib"), $"RSS after step {early.AtMark.Step}", Mib(early.AtMark.ResidentBytes), "MiB", "F1");
        report.Figure(Key(v, "rss_final_mib"), $"RSS after step {final.AtMark.Step}", Mib(final.AtMark.ResidentBytes), "MiB", "F1");
        report.Figure(Key(v, "point_growth_percent"), "growth between those two samples", growth.PointGrowthPercent, "%");
        report.Figure(Key(v, "rss_early_median_mib"), $"median RSS, steps {early.FromStep}-{early.ToStep}", Mib(early.MedianBytes), "MiB", "F1");
        report.Figure(Key(v, "rss_early_spread_mib"), "  spread (max - min) over those steps", Mib(early.MaxBytes - early.MinBytes), "MiB", "F1");
        report.Figure(Key(v, "rss_final_median_mib"), $"median RSS, steps {final.FromStep}-{final.ToStep}", Mib(final.MedianBytes), "MiB", "F1");
        report.Figure(Key(v, "rss_final_spread_mib"), "  spread (max - min) over those steps", Mib(final.MaxBytes - final.MinBytes), "MiB", "F1");
        report.Figure(Key(v, "growth_percent"), "growth of the median (judged against the bar)", growth.GrowthPercent, "%");
        report.Figure(Key(v, "trend_mib_per_1000_steps"), $"trend, steps {early.AtMark.Step}-{final.AtMark.Step} (least squares)", Mib(growth.TrendBytesPerThousandSteps), "MiB per 1,000 steps");
        report.Figure(Key(v, "dotnet_committed_final_mib"), $".NET GC committed after step {final.AtMark.Step}", Mib(final.AtMark.ManagedCommittedBytes), "MiB", "F1");
        report.Figure(Key(v, "peak_rss_mib"), "peak RSS (VmHWM, start-up included)", Mib(run.PeakResidentBytes), "MiB", "F1");
        report.Figure(Key(v, "steps_per_s"), "learner steps per second", run.StepsPerSecond, "steps/s");
        report.Figure(Key(v, "wall_s"), "wall time of the run", run.Wall.TotalSeconds, "s", "F0");
        report.Check(Key(v, "within_bar"), $"growth within {BarPercent.ToString(CultureInfo.InvariantCulture)} %", growth.IsWithin(BarPercent));
    }

    /// <summary>The runs side by side, and the bar judged on make-run (or the first run).</summary>
    public static void WriteVerdict(BenchReport report, IReadOnlyList<DaemonMemoryRun> runs, long earlyStep, int window)
    {
        var measured = runs.Select(r => (Run: r, Growth: MemoryGrowth.Measure(r.Steps, earlyStep, window))).Where(m => m.Growth is not null).ToList();
        if (measured.Count == 0)
        {
            report.Fact("judged_on", "bar judged on", "nothing: no run reached past the early step");
            return;
        }
        if (measured.Count > 1)
        {
            report.Section("Side by side (median RSS after the early step -> after the last, growth, trend per 1,000 steps)");
            foreach (var (run, growth) in measured)
            {
                report.Section(string.Create(CultureInfo.InvariantCulture,
                    $"  {run.Variant.Name,-14} {Mib(growth!.Early.MedianBytes),8:F1} -> {Mib(growth.Final.MedianBytes),8:F1} MiB  {growth.GrowthPercent,6:+0.0;-0.0} %  {Mib(growth.TrendBytesPerThousandSteps),7:+0.0;-0.0} MiB  {run.Allocator}"));
            }
        }
        var judged = measured.FirstOrDefault(m => m.Run.Variant is MakeRunAllocator);
        if (judged.Run is null)
            judged = measured[0];
        report.Section("Verdict");
        report.Fact("judged_on", "bar judged on", judged.Run.Variant.Name);
        report.Figure("growth_percent", $"growth of {judged.Run.Variant.Name}", judged.Growth!.GrowthPercent, "%");
        report.Check("within_bar", $"RSS after step {judged.Growth.Final.AtMark.Step} within {BarPercent.ToString(CultureInfo.InvariantCulture)} % of RSS after step {judged.Growth.Early.AtMark.Step} (medians)", judged.Growth.IsWithin(BarPercent));
    }

    private static string Key(AllocatorVariant variant, string figure) => $"{variant.Name.Replace('-', '_')}_{figure}";

    private static double Mib(double bytes) => bytes / (1024.0 * 1024.0);
}
