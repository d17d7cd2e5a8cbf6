using System.Text.Json;

namespace R1Actors.Reporting;

/// <summary>
/// What <c>r1actors report</c> reads from a run's CLEF files: the numeric properties of every step event,
/// evaluations, checkpoints and faults. Lines that are not JSON (a file cut by a crash) are skipped and
/// counted, never fatal.
/// </summary>
public sealed class ClefRunLog
{
    public SortedDictionary<long, Dictionary<string, double>> Steps { get; } = [];

    /// <summary>When each step's event was written.</summary>
    public SortedDictionary<long, DateTimeOffset> StepTimes { get; } = [];

    /// <summary>The text properties of the newest RunStarted event (Allocator, TorchRuntime, RunDirectory, …).</summary>
    public Dictionary<string, string> RunStarted { get; private set; } = [];

    public List<Dictionary<string, double>> Evaluations { get; } = [];

    public int Checkpoints { get; private set; }

    public int VerifierFaults { get; private set; }

    public int Errors { get; private set; }

    public int MalformedLines { get; private set; }

    public DateTimeOffset? FirstTimestamp { get; private set; }

    public DateTimeOffset? LastTimestamp { get; private set; }

    public static ClefRunLog Read(string runDirectory)
    {
        var logs = Path.Combine(runDirectory, "logs");
        var files = Directory.Exists(logs) ? Directory.GetFiles(logs, "r1actors-*.clef").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"no CLEF log (logs/r1actors-*.clef) in run folder {runDirectory}");
        }
        var log = new ClefRunLog();
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                log.Add(line);
            }
        }
        return log;
    }

    private void Add(string line)
    {
        if (line.Length == 0)
        {
            return;
        }
        JsonElement e;
        try
        {
            e = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            MalformedLines++;
            return;
        }
        DateTimeOffset? timestamp = e.TryGetProperty("@t", out var t) && t.TryGetDateTimeOffset(out var time) ? time : null;
        if (timestamp is not null)
        {
            FirstTimestamp ??= timestamp;
            LastTimestamp = timestamp;
        }
        if (e.TryGetProperty("@l", out var level) && level.GetString() is "Error" or "Fatal")
        {
            Errors++;
        }
        var kind = e.TryGetProperty(EventKinds.Property, out var k) ? k.GetString() : null;
        switch (kind)
        {
            case EventKinds.Step when e.TryGetProperty(MetricNames.Step, out var step) && step.TryGetInt64(out var s):
                Steps[s] = Numbers(e);
                if (timestamp is { } stepTime)
                    StepTimes[s] = stepTime;
                break;
            case EventKinds.RunStarted:
                RunStarted = e.EnumerateObject()
                    .Where(p => p.Value.ValueKind == JsonValueKind.String && !p.Name.StartsWith('@'))
                    .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
                break;
            case EventKinds.Evaluation:
                Evaluations.Add(Numbers(e));
                break;
            case EventKinds.Checkpoint:
                Checkpoints++;
                break;
            case EventKinds.VerifierFault:
                VerifierFaults++;
                break;
        }
    }

    private static Dictionary<string, double> Numbers(JsonElement e) =>
        e.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number && !p.Name.StartsWith('@'))
            .ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal);
}
