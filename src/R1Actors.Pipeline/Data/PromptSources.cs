using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Settings;
using Serilog;

namespace R1Actors.Pipeline.Data;

/// <summary>Reads one kind of dataset file into prompts.</summary>
public interface IDatasetFileReader
{
    Task<IReadOnlyList<Prompt>> ReadAsync(string path, PromptRecordMapper mapper, SkippedRecords skips, CancellationToken cancellationToken);
}

/// <summary>Builds the training and held-out prompt sets that <c>r1.data</c> describes.</summary>
public static class PromptSources
{
    private sealed class Jsonl : IDatasetFileReader
    {
        public Task<IReadOnlyList<Prompt>> ReadAsync(string path, PromptRecordMapper mapper, SkippedRecords skips, CancellationToken cancellationToken) =>
            Task.FromResult(JsonlPromptReader.Read(path, mapper, skips));
    }

    private sealed class Parquet : IDatasetFileReader
    {
        public Task<IReadOnlyList<Prompt>> ReadAsync(string path, PromptRecordMapper mapper, SkippedRecords skips, CancellationToken cancellationToken) =>
            ParquetPromptReader.ReadAsync(path, mapper, skips, cancellationToken);
    }

    /// <summary>Readers by file extension.</summary>
    public static IReadOnlyDictionary<string, IDatasetFileReader> Readers { get; } =
        new Dictionary<string, IDatasetFileReader>(StringComparer.OrdinalIgnoreCase)
        {
            [".jsonl"] = new Jsonl(),
            [".json"] = new Jsonl(),
            [".parquet"] = new Parquet(),
        };

    private delegate Task<IPromptDataset> SourceKind(DataSettings settings, DataSplit split, ILogger log, CancellationToken cancellationToken);

    // r1.data.source → how that source builds one split.
    private static readonly Dictionary<string, SourceKind> Kinds = new(StringComparer.Ordinal)
    {
        ["files"] = LoadFileSplitAsync,
        ["countdown"] = (s, split, _, _) => Task.FromResult<IPromptDataset>(new CountdownGenerator(
            s.Countdown with { Count = SplitCount(s, split, s.Countdown.Count) }, s.Seed, new HeldOutPartition(s.HeldOutFraction), split)),
        ["arithmetic"] = (s, split, _, _) => Task.FromResult<IPromptDataset>(new ArithmeticGenerator(
            s.Arithmetic with { Count = SplitCount(s, split, s.Arithmetic.Count) }, s.Seed, new HeldOutPartition(s.HeldOutFraction), split)),
    };

    /// <summary>The names <c>r1.data.source</c> accepts.</summary>
    public static IReadOnlyCollection<string> SourceNames => Kinds.Keys;

    /// <summary>The prompts of one split: the generator's own split, or the files' prompts on that side of the hash.</summary>
    public static Task<IPromptDataset> LoadAsync(DataSettings settings, DataSplit split, ILogger log, CancellationToken cancellationToken) =>
        Kinds[settings.Source](settings, split, log, cancellationToken);

    private static int SplitCount(DataSettings settings, DataSplit split, int trainingCount) =>
        split == DataSplit.HeldOut ? settings.HeldOutCount : trainingCount;

    private static async Task<IPromptDataset> LoadFileSplitAsync(DataSettings settings, DataSplit split, ILogger log, CancellationToken cancellationToken)
    {
        var files = await LoadFilesAsync(settings, log, cancellationToken).ConfigureAwait(false);
        return split == DataSplit.Training && settings.HeldOutFraction == 0
            ? files
            : new PartitionedDataset(files, new HeldOutPartition(settings.HeldOutFraction), split);
    }

    /// <summary>All configured files in order, as one dataset; fails when none of them yields a prompt.</summary>
    public static async Task<IPromptDataset> LoadFilesAsync(DataSettings settings, ILogger log, CancellationToken cancellationToken)
    {
        var mapper = new PromptRecordMapper(settings.Fields);
        var skips = new SkippedRecords(log, settings.MaxLoggedSkips);
        var prompts = new List<Prompt>();
        foreach (var file in settings.Files)
        {
            if (!File.Exists(file))
                throw new SettingsException("r1.data.files", $"file '{file}' does not exist (working directory {Environment.CurrentDirectory})");
            if (!Readers.TryGetValue(Path.GetExtension(file), out var reader))
                throw new SettingsException("r1.data.files", $"'{file}': expected a .jsonl, .json or .parquet file");
            prompts.AddRange(await reader.ReadAsync(file, mapper, skips, cancellationToken).ConfigureAwait(false));
        }
        if (prompts.Count == 0)
            throw new SettingsException("r1.data.files",
                $"no usable prompt in {string.Join(", ", settings.Files)} ({skips.Count} records skipped; the warnings above give each reason; check r1.data.fields and r1.data.task-fields)");
        return new InMemoryPromptDataset($"{settings.Files.Count} file(s), {prompts.Count} prompts", prompts);
    }
}
