using System.Text.Json;
using R1Actors.Cli;

namespace R1Actors.Comparison;

/// <summary>
/// One held-out point of one arm: after <see cref="Samples"/> sampled completions and <see cref="WallSeconds"/>
/// of the arm's training (evaluations not counted), on the model at <see cref="Model"/>.
/// </summary>
/// <param name="Segment">The arm's segment that ended here (1-based); 0 for a point of an earlier state, or the base model's.</param>
public sealed record ComparePoint(string Arm, int Segment, string Label, long Samples, double WallSeconds, string Model, ProbeResult Probe)
{
    public double PassAt(int k) => Probe.PassAtK[Math.Min(k, Probe.PassAtK.Length) - 1];
}

/// <summary>
/// <c>points.jsonl</c> of a comparison folder: a line a point, appended and flushed to disk as each is measured,
/// so a comparison killed at any moment keeps every point it finished and resumes after the last one.
/// A last line cut short by the kill is dropped.
/// </summary>
public sealed class ComparePoints(string folder)
{
    public const string FileName = "points.jsonl";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private string Path => System.IO.Path.Combine(folder, FileName);

    public IReadOnlyList<ComparePoint> Read()
    {
        if (!File.Exists(Path))
            return [];
        DropCutLine();
        var points = new List<ComparePoint>();
        foreach (var line in File.ReadLines(Path).Where(l => l.Length > 0))
        {
            try
            {
                points.Add(JsonSerializer.Deserialize<ComparePoint>(line, Json)!);
            }
            catch (JsonException e)
            {
                throw new UsageException($"{Path}: a line is not a point ({e.Message}); the file was edited by hand. Remove that line, or compare into another --run-dir");
            }
        }
        return points;
    }

    /// <summary>A line the kill cut short has no newline: it goes, so the next point starts a line of its own.</summary>
    private void DropCutLine()
    {
        var bytes = File.ReadAllBytes(Path);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end == bytes.Length)
            return;
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Write);
        stream.SetLength(end);
    }

    public void Append(ComparePoint point)
    {
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
            writer.WriteLine(JsonSerializer.Serialize(point, Json));
        stream.Flush(flushToDisk: true);
    }
}
