using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace R1Actors.Comparison;

/// <summary>
/// The comparison's report in <c>report/</c>: <c>report.md</c> (recipes, final figures, the answer the points
/// give, every point), PNG charts (held-out pass@1 against samples spent and against training wall time, one
/// line per arm, each starting at the base model; pass@k for k = 1 … n at the end, base model included; entropy
/// and response length against samples) and <c>report.json</c>, the same JSON object the command prints last.
/// </summary>
public static class CompareReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly string[] FilterAndSft = ["rft-online", "rft-offline"];

    /// <summary>The JSON line as people read it: arm names such as sft+grpo stay as they are.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions JsonLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Write(string folder, CompareContext c, IReadOnlyList<ICompareArm> arms, IReadOnlyList<ComparePoint> points)
    {
        Directory.CreateDirectory(folder);
        var basePoint = points.First(p => p.Arm == "base");
        var lines = arms.Select(a => (a.Name, Points: Line(points, a.Name, basePoint))).Where(l => l.Points.Count > 1).ToArray();
        var finals = lines.Select(l => l.Points[^1]).ToArray();
        var n = basePoint.Probe.Samples;
        var charts = new List<string>
        {
            Chart(folder, "accuracy-vs-samples.png", "Held-out pass@1 against samples spent", "sampled completions", "pass@1", lines, p => p.Samples, p => p.PassAt(1)),
            Chart(folder, "accuracy-vs-time.png", "Held-out pass@1 against training wall time", "seconds of training", "pass@1", lines, p => p.WallSeconds, p => p.PassAt(1)),
            PassAtKChart(folder, [("base", basePoint), .. lines.Select(l => (l.Name, l.Points[^1]))], n),
            Chart(folder, "entropy-vs-samples.png", "Held-out entropy (mean -log p of sampled tokens)", "sampled completions", "nats/token", lines, p => p.Samples, p => p.Probe.Entropy),
            Chart(folder, "length-vs-samples.png", "Held-out response length", "sampled completions", "tokens", lines, p => p.Samples, p => p.Probe.LengthMean),
        };
        var json = Json(c, basePoint, lines.Select(l => (l.Name, l.Points[^1])).ToArray(), n, folder);
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(c, arms, basePoint, finals, points, charts, n));
        File.WriteAllText(Path.Combine(folder, "report.json"), json.ToJsonString(JsonLine));
        return json;
    }

    /// <summary>An arm's points in the order it reached them, after the base model's.</summary>
    private static List<ComparePoint> Line(IReadOnlyList<ComparePoint> points, string arm, ComparePoint basePoint) =>
        [basePoint, .. points.Where(p => p.Arm == arm).OrderBy(p => p.WallSeconds).ThenBy(p => p.Segment)];

    private static string Chart(string folder, string file, string title, string x, string y,
        IReadOnlyList<(string Name, List<ComparePoint> Points)> lines, Func<ComparePoint, double> xOf, Func<ComparePoint, double> yOf)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, line) in lines)
        {
            var series = plot.Add.Scatter(line.Select(xOf).ToArray(), line.Select(yOf).ToArray(), ColorOf(name));
            series.LegendText = name;
            series.MarkerSize = 6;
        }
        return Save(plot, folder, file, title, x, y);
    }

    private static string PassAtKChart(string folder, IReadOnlyList<(string Name, ComparePoint Point)> curves, int n)
    {
        var plot = new ScottPlot.Plot();
        var ks = Enumerable.Range(1, n).ToArray();
        foreach (var (name, point) in curves)
        {
            var series = plot.Add.Scatter(ks.Select(k => Math.Log2(k)).ToArray(), ks.Select(point.PassAt).ToArray(), ColorOf(name));
            series.LegendText = name;
            series.MarkerSize = 0;
        }
        var ticks = Enumerable.Range(0, (int)Math.Floor(Math.Log2(n)) + 1).Select(i => 1 << i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. ticks.Select(k => Math.Log2(k))], [.. ticks.Select(k => k.ToString(C))]);
        return Save(plot, folder, "pass-at-k.png", "Held-out pass@k at the end of each arm", "k (log scale)", "pass@k");
    }

    /// <summary>One colour per arm in every chart (its place among the known arms), grey for the base model.</summary>
    private static ScottPlot.Color ColorOf(string name)
    {
        var index = CompareArms.Known.Keys.ToList().IndexOf(name);
        return index < 0 ? ScottPlot.Colors.Gray : new ScottPlot.Palettes.Category10().GetColor(index);
    }

    private static string Save(ScottPlot.Plot plot, string folder, string file, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        var path = Path.Combine(folder, file);
        plot.SavePng(path, 900, 500);
        return path;
    }

    private static string Markdown(CompareContext c, IReadOnlyList<ICompareArm> arms, ComparePoint basePoint, IReadOnlyList<ComparePoint> finals,
        IReadOnlyList<ComparePoint> points, IReadOnlyList<string> charts, int n)
    {
        var md = new StringBuilder();
        md.AppendLine(C, $"# Comparison: {string.Join(", ", arms.Select(a => a.Name))} on {c.Budget}");
        md.AppendLine();
        md.AppendLine(C, $"Base model `{basePoint.Model}`, held-out split of `{c.Settings.Data.Source}` ({basePoint.Probe.Prompts} prompts x {n} samples at every point, seed {c.Settings.Eval.Seed}); data seed {c.Settings.Data.Seed}, run seed {c.Settings.Run.Seed}. Wall time is the arm's training only (the held-out points are not counted).");
        md.AppendLine();
        foreach (var arm in arms)
            md.AppendLine(C, $"- **{arm.Name}**: {arm.Recipe(c)}");
        md.AppendLine();
        md.AppendLine("## At the end of each arm");
        md.AppendLine();
        md.AppendLine(C, $"| arm | samples | training wall (s) | pass@1 | gain (points) | pass@8 | pass@{n} | gain (points) | entropy | length | samples per point of pass@1 | seconds per point |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine(C, $"| base | 0 | 0 | {basePoint.PassAt(1):P1} | | {basePoint.PassAt(8):P1} | {basePoint.PassAt(n):P1} | | {basePoint.Probe.Entropy:F3} | {basePoint.Probe.LengthMean:F2} | | |");
        foreach (var f in finals)
        {
            var gain = Points(f.PassAt(1) - basePoint.PassAt(1));
            md.AppendLine(C, $"| {f.Arm} | {f.Samples} | {f.WallSeconds:F0} | {f.PassAt(1):P1} | {gain:+0.0;-0.0} | {f.PassAt(8):P1} | {f.PassAt(n):P1} | {Points(f.PassAt(n) - basePoint.PassAt(n)):+0.0;-0.0} | {f.Probe.Entropy:F3} | {f.Probe.LengthMean:F2} | {PerPoint(f.Samples, gain)} | {PerPoint(f.WallSeconds, gain)} |");
        }
        md.AppendLine();
        md.AppendLine("## What these points say");
        md.AppendLine();
        foreach (var line in Answer(finals, basePoint, n))
            md.AppendLine("- " + line);
        md.AppendLine();
        md.AppendLine("## Every point");
        md.AppendLine();
        md.AppendLine(C, $"| arm | point | samples | wall (s) | pass@1 | pass@8 | pass@{n} | entropy | length |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var p in points)
            md.AppendLine(C, $"| {p.Arm} | {p.Label} | {p.Samples} | {p.WallSeconds:F0} | {p.PassAt(1):P1} | {p.PassAt(8):P1} | {p.PassAt(n):P1} | {p.Probe.Entropy:F3} | {p.Probe.LengthMean:F2} |");
        md.AppendLine();
        foreach (var chart in charts)
            md.AppendLine(C, $"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})");
        return md.ToString();
    }

    /// <summary>The question of the comparison, answered from the final points whichever way they came out.</summary>
    private static IEnumerable<string> Answer(IReadOnlyList<ComparePoint> finals, ComparePoint basePoint, int n)
    {
        var grpo = finals.FirstOrDefault(f => f.Arm == "grpo");
        var sft = finals.Where(f => FilterAndSft.Contains(f.Arm)).ToArray();
        if (grpo is null || sft.Length == 0)
        {
            yield return "The GRPO-against-filter-and-SFT question needs the grpo arm and at least one rft arm.";
            yield break;
        }
        foreach (var k in new[] { 1, n }.Distinct())
        {
            var best = sft.MaxBy(f => f.PassAt(k))!;
            var verdict = grpo.PassAt(k) > best.PassAt(k) ? "beats" : grpo.PassAt(k) < best.PassAt(k) ? "trails" : "ties";
            yield return string.Create(C, $"pass@{k}: GRPO {grpo.PassAt(k):P1} {verdict} the best filter-and-SFT arm, {best.Arm}, at {best.PassAt(k):P1} (base {basePoint.PassAt(k):P1}).");
        }
        foreach (var f in finals)
        {
            var gain = Points(f.PassAt(1) - basePoint.PassAt(1));
            yield return string.Create(C, $"{f.Arm}: {gain:+0.0;-0.0} points of pass@1 for {f.Samples} samples and {f.WallSeconds:F0} s of training: {PerPoint(f.Samples, gain)} samples and {PerPoint(f.WallSeconds, gain)} s per point.");
        }
    }

    private static double Points(double fraction) => fraction * 100;

    private static string PerPoint(double cost, double gainPoints) => gainPoints > 0 ? (cost / gainPoints).ToString("F0", C) : "no gain";

    private static JsonObject Json(CompareContext c, ComparePoint basePoint, IReadOnlyList<(string Name, ComparePoint Final)> finals, int n, string folder)
    {
        JsonObject Figures(ComparePoint p) => new()
        {
            ["samples"] = p.Samples,
            ["wall_seconds"] = Math.Round(p.WallSeconds, 1),
            ["pass@1"] = p.PassAt(1),
            ["pass@8"] = p.PassAt(8),
            [$"pass@{n}"] = p.PassAt(n),
            ["entropy"] = p.Probe.Entropy,
            ["length"] = p.Probe.LengthMean,
        };
        var arms = new JsonObject();
        foreach (var (name, final) in finals)
            arms[name] = Figures(final);
        return new JsonObject
        {
            ["budget"] = c.Budget.ToString(),
            ["held_out_prompts"] = basePoint.Probe.Prompts,
            ["eval_samples"] = n,
            ["base"] = Figures(basePoint),
            ["arms"] = arms,
            ["report"] = Path.Combine(folder, "report.md"),
        };
    }
}
