using System.Globalization;
using System.Text;

namespace R1Actors.Reporting;

/// <summary>
/// Turns a run's log into PNG charts against step (reward, accuracy, KL, entropy, response length,
/// throughput, staleness) and a Markdown summary, written to <c>RUN_DIR/report/</c>.
/// </summary>
public static class RunReport
{
    /// <summary>One chart: a file name, a title, and the step-event properties it draws.</summary>
    public sealed record Chart(string File, string Title, string YLabel, params string[] Series);

    public static readonly IReadOnlyList<Chart> Charts =
    [
        new("reward.png", "Reward", "reward", MetricNames.RewardMean, MetricNames.RewardStd),
        new("accuracy.png", "Accuracy", "fraction correct", MetricNames.Accuracy, MetricNames.HeldOutAccuracy),
        new("kl.png", "KL divergence", "nats/token", MetricNames.Kl, MetricNames.KlReference),
        new("entropy.png", "Entropy", "nats/token", MetricNames.Entropy),
        new("response-length.png", "Response length", "tokens", MetricNames.CompletionLengthMean, MetricNames.CompletionLengthMax),
        new("throughput.png", "Throughput", "tokens/s", MetricNames.TokensPerSecond),
        new("staleness.png", "Staleness", "steps", MetricNames.Staleness, MetricNames.StalenessMax),
    ];

    private static readonly string[] SummaryMetrics =
    [
        MetricNames.RewardMean, MetricNames.Accuracy, MetricNames.Kl, MetricNames.Entropy,
        MetricNames.CompletionLengthMean, MetricNames.TokensPerSecond, MetricNames.Staleness, MetricNames.StepSeconds,
    ];

    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(string runDirectory, string outputDirectory)
    {
        var log = ClefRunLog.Read(runDirectory);
        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        foreach (var chart in Charts)
        {
            var path = Path.Combine(outputDirectory, chart.File);
            if (Draw(chart, log, path))
            {
                written.Add(path);
            }
        }
        var summary = Path.Combine(outputDirectory, "summary.md");
        File.WriteAllText(summary, Summarise(runDirectory, log, written));
        written.Add(summary);
        return written;
    }

    private static bool Draw(Chart chart, ClefRunLog log, string path)
    {
        var plot = new ScottPlot.Plot();
        var drawn = 0;
        foreach (var name in chart.Series)
        {
            var points = Points(log, name);
            if (points.Count == 0)
            {
                continue;
            }
            var series = plot.Add.Scatter(points.Select(p => p.Step).ToArray(), points.Select(p => p.Value).ToArray());
            series.LegendText = name;
            series.MarkerSize = points.Count > 60 ? 0 : 4;
            drawn++;
        }
        if (drawn == 0)
        {
            return false;
        }
        plot.Title(chart.Title);
        plot.XLabel("step");
        plot.YLabel(chart.YLabel);
        plot.ShowLegend(drawn > 1 ? ScottPlot.Alignment.UpperLeft : ScottPlot.Alignment.UpperRight);
        if (drawn == 1)
        {
            plot.HideLegend();
        }
        plot.SavePng(path, 900, 450);
        return true;
    }

    /// <summary>Step-event values of a property, plus evaluation events that carry a Step.</summary>
    private static List<(double Step, double Value)> Points(ClefRunLog log, string name)
    {
        var points = log.Steps
            .Where(s => s.Value.ContainsKey(name))
            .Select(s => ((double)s.Key, s.Value[name]))
            .ToList();
        points.AddRange(log.Evaluations
            .Where(e => e.ContainsKey(name) && e.ContainsKey(MetricNames.Step))
            .Select(e => (e[MetricNames.Step], e[name])));
        return [.. points.OrderBy(p => p.Item1)];
    }

    private static string Summarise(string runDirectory, ClefRunLog log, IReadOnlyList<string> charts)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Run report: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)))}");
        md.AppendLine();
        var span = log.LastTimestamp - log.FirstTimestamp;
        md.AppendLine(c, $"- Steps logged: {log.Steps.Count} (first {(log.Steps.Count > 0 ? log.Steps.Keys.First() : 0)}, last {(log.Steps.Count > 0 ? log.Steps.Keys.Last() : 0)})");
        md.AppendLine(c, $"- Wall time covered by the log: {(span is { } s ? s.ToString(@"d\.hh\:mm\:ss", c) : "n/a")}");
        md.AppendLine(c, $"- Checkpoints saved: {log.Checkpoints}; verifier faults: {log.VerifierFaults}; errors: {log.Errors}; unreadable log lines: {log.MalformedLines}");
        md.AppendLine();
        md.AppendLine("| metric | first 10 steps (mean) | last 10 steps (mean) | min | max |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var name in SummaryMetrics)
        {
            var values = log.Steps.Values.Where(v => v.ContainsKey(name)).Select(v => v[name]).ToList();
            if (values.Count > 0)
            {
                md.AppendLine(c, $"| {name} | {values.Take(10).Average():G4} | {values.TakeLast(10).Average():G4} | {values.Min():G4} | {values.Max():G4} |");
            }
        }
        if (log.Evaluations.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Evaluations");
            md.AppendLine();
            foreach (var e in log.Evaluations)
            {
                md.AppendLine("- " + string.Join(", ", e.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value.ToString("G4", c)}")));
            }
        }
        md.AppendLine();
        md.AppendLine("## Charts");
        md.AppendLine();
        foreach (var chart in charts)
        {
            md.AppendLine(c, $"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})");
        }
        return md.ToString();
    }
}
