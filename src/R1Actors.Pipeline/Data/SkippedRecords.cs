using Serilog;

namespace R1Actors.Pipeline.Data;

/// <summary>
/// Counts and logs the dataset records that could not be used: each one with its file, line (or row) and reason,
/// up to a cap; past the cap only the count grows, and the per-file summary says how many went unlisted. Of the
/// records taken it notes where each task kind first appears, so the kinds are known without a second pass.
/// </summary>
public sealed class SkippedRecords(ILogger log, int maxLogged)
{
    private readonly Dictionary<string, long> _perFile = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _taskKinds = new(StringComparer.Ordinal);

    public long Count { get; private set; }

    /// <summary>Task kind → the file and line (or row) of the first record taken with that kind.</summary>
    public IReadOnlyDictionary<string, string> KindsPresent => _taskKinds;

    public long CountFor(string file) => _perFile.GetValueOrDefault(file);

    /// <summary>Adds the record's prompt to <paramref name="prompts"/>, or skips it with its reason.</summary>
    public void Take(MappedRecord record, string file, string location, List<Prompt> prompts)
    {
        if (record.Prompt is null)
        {
            Skip(file, location, record.Problem!);
            return;
        }
        prompts.Add(record.Prompt);
        _taskKinds.TryAdd(record.Prompt.Task.Kind, $"{file} {location}");
    }

    public void Skip(string file, string location, string problem)
    {
        Count++;
        _perFile[file] = CountFor(file) + 1;
        if (Count <= maxLogged)
            log.Warning("Skipped dataset record {DatasetFile} {RecordLocation}: {SkipReason}", file, location, problem);
    }

    public void Summarise(string file, int loaded)
    {
        var skipped = CountFor(file);
        if (skipped == 0)
        {
            log.Information("Loaded {PromptCount} prompts from {DatasetFile}", loaded, file);
            return;
        }
        log.Warning(
            "Loaded {PromptCount} prompts from {DatasetFile}; skipped {SkippedRecords} malformed records ({UnlistedSkips} not listed above)",
            loaded, file, skipped, Math.Max(0, Count - maxLogged));
    }
}
