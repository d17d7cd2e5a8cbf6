using System.Text.Json;
using Serilog;

namespace R1Actors.Pipeline.Data;

/// <summary>One supervised example: a question and a completion to learn, and where it came from (<c>file:line</c>).</summary>
public sealed record Trace(string Location, string Prompt, string Completion);

/// <summary>The traces of a file, and the lines that were skipped, each as <c>file:line: reason</c>.</summary>
public sealed record TraceSet(IReadOnlyList<Trace> Traces, IReadOnlyList<string> Skipped);

/// <summary>
/// The trace files of supervised stages (<c>r1.training.sft.traces</c>): JSONL, one
/// <c>{"prompt": "...", "completion": "..."}</c> a line, the prompt as plain text (the prompt format is applied
/// as for sampling) and the completion as the model should write it (the end token is added when training).
/// Blank lines are ignored; a line that is not JSON, or lacks a non-empty string prompt or completion, is
/// skipped, logged with its file and line (the first 20) and counted. A missing file, or one with no usable
/// line, is a configuration mistake naming the key.
/// <example>
/// <c>{"prompt": "12+345=", "completion": "753"}</c> → Trace("traces.jsonl:1", "12+345=", "753");
/// <c>{"prompt": "1+1="}</c> → skipped: "traces.jsonl:2: no \"completion\" string".
/// </example>
/// </summary>
public static class TraceFile
{
    public const string Key = "r1.training.sft.traces";
    private const int MaxLogged = 20;

    /// <exception cref="SettingsException">The file is missing or holds no usable trace.</exception>
    public static TraceSet Read(string path, ILogger log)
    {
        if (!File.Exists(path))
            throw new SettingsException(Key, $"the trace file {path} does not exist; name a JSONL file of {{\"prompt\": ..., \"completion\": ...}} lines");
        var traces = new List<Trace>();
        var skipped = new List<string>();
        var name = Path.GetFileName(path);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var location = $"{name}:{lineNumber}";
            var (trace, problem) = Parse(line, location);
            if (trace is not null)
            {
                traces.Add(trace);
                continue;
            }
            skipped.Add($"{location}: {problem}");
            if (skipped.Count <= MaxLogged)
                log.Warning("Skipped trace {TraceLocation}: {SkipReason}", location, problem);
        }
        if (traces.Count == 0)
            throw new SettingsException(Key, $"the trace file {path} holds no usable trace ({skipped.Count} malformed lines{(skipped.Count > 0 ? ", the first: " + skipped[0] : "")})");
        log.Information("Loaded {TraceCount} traces from {TraceFile}; skipped {SkippedTraces} malformed lines", traces.Count, path, skipped.Count);
        return new TraceSet(traces, skipped);
    }

    /// <summary>The line's trace, or why it is not one.</summary>
    private static (Trace? Trace, string? Problem) Parse(string line, string location)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, $"a {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            var texts = new List<string>();
            foreach (var field in new[] { "prompt", "completion" })
            {
                if (!root.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
                    return (null, $"no \"{field}\" string");
                if (value.GetString() is not { Length: > 0 } text)
                    return (null, $"\"{field}\" is empty");
                texts.Add(text);
            }
            return (new Trace(location, texts[0], texts[1]), null);
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON: {e.Message}");
        }
    }

    /// <summary>Writes <paramref name="traces"/> to <paramref name="path"/> whole or not at all (temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<(string Prompt, string Completion)> traces)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var partial = path + ".partial";
        using (var writer = new StreamWriter(partial))
        {
            foreach (var (prompt, completion) in traces)
                writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["prompt"] = prompt, ["completion"] = completion }));
            writer.Flush();
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }
        File.Move(partial, path, overwrite: true);
    }
}
