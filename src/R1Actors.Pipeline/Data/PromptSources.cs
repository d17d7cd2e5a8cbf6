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

    private const string FilesKey = "r1.data.files";
    private const string HeldOutFilesKey = "r1.data.held-out-files";

    private delegate Task<IPromptDataset> SourceKind(DataSettings settings, DataSplit split, ILogger log, CancellationToken cancellationToken);

    // r1.data.source → how that source builds one split.
    private static readonly Dictionary<string, SourceKind> Kinds = new(StringComparer.Ordinal)
    {
        ["files"] = LoadFileSplitAsync,
        [TaskKinds.Countdown] = (s, split, _, _) => Task.FromResult<IPromptDataset>(new CountdownGenerator(
            s.Countdown with { Count = SplitCount(s, split, s.Countdown.Count) }, s.Seed, new HeldOutPartition(s.HeldOutFraction), split)),
        [TaskKinds.KnightsKnaves] = (s, split, _, _) => Task.FromResult<IPromptDataset>(new KnightsKnavesGenerator(
            s.KnightsKnaves with { Count = SplitCount(s, split, s.KnightsKnaves.Count) }, s.Seed, new HeldOutPartition(s.HeldOutFraction), split)),
        [TaskKinds.Sudoku] = (s, split, _, _) => Task.FromResult<IPromptDataset>(new SudokuGenerator(
            s.Sudoku with { Count = SplitCount(s, split, s.Sudoku.Count) }, s.Seed, new HeldOutPartition(s.HeldOutFraction), split)),
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
        if (settings.HeldOutFiles.Count > 0)
            return await LoadWithHeldOutFilesAsync(settings, split, log, cancellationToken).ConfigureAwait(false);
        var files = await LoadFilesAsync(settings, log, cancellationToken).ConfigureAwait(false);
        return split == DataSplit.Training && settings.HeldOutFraction == 0
            ? files
            : new PartitionedDataset(files, new HeldOutPartition(settings.HeldOutFraction), split);
    }

    /// <summary>
    /// r1.data.held-out-files given (a test split): they are the held-out set, and the training prompts are
    /// r1.data.files (less the held-out-fraction, if any) without any prompt whose content is also held out.
    /// </summary>
    private static async Task<IPromptDataset> LoadWithHeldOutFilesAsync(DataSettings settings, DataSplit split, ILogger log, CancellationToken cancellationToken)
    {
        var heldOut = await LoadFilesAsync(settings, settings.HeldOutFiles, HeldOutFilesKey, log, cancellationToken).ConfigureAwait(false);
        if (split == DataSplit.HeldOut)
            return heldOut;
        IPromptDataset training = await LoadFilesAsync(settings, log, cancellationToken).ConfigureAwait(false);
        if (settings.HeldOutFraction > 0)
            training = new PartitionedDataset(training, new HeldOutPartition(settings.HeldOutFraction), DataSplit.Training);
        var heldOutKeys = Enumerable.Range(0, heldOut.Count).Select(i => HeldOutPartition.ContentKey(heldOut.Get(i))).ToHashSet(StringComparer.Ordinal);
        var kept = Enumerable.Range(0, training.Count).Select(training.Get).Where(p => !heldOutKeys.Contains(HeldOutPartition.ContentKey(p))).ToList();
        if (kept.Count < training.Count)
            log.Warning("{DroppedPrompts} training prompts also appear in {HeldOutFilesKey} and were left out of training", training.Count - kept.Count, HeldOutFilesKey);
        if (kept.Count == 0)
            throw new SettingsException(FilesKey, $"every prompt of {string.Join(", ", settings.Files)} also appears in {HeldOutFilesKey}: nothing is left to train on");
        return new InMemoryPromptDataset($"{training.Description}, without the held-out files' prompts", kept, training.KindsPresent);
    }

    /// <summary>All configured files in order, as one dataset; fails when none of them yields a prompt.</summary>
    public static Task<IPromptDataset> LoadFilesAsync(DataSettings settings, ILogger log, CancellationToken cancellationToken) =>
        LoadFilesAsync(settings, settings.Files, FilesKey, log, cancellationToken);

    private static async Task<IPromptDataset> LoadFilesAsync(DataSettings settings, IReadOnlyList<string> files, string key, ILogger log,
        CancellationToken cancellationToken)
    {
        var mapper = new PromptRecordMapper(settings.Fields);
        var skips = new SkippedRecords(log, settings.MaxLoggedSkips);
        var prompts = new List<Prompt>();
        foreach (var file in files)
        {
            if (!File.Exists(file))
                throw new SettingsException(key, $"file '{file}' does not exist (working directory {Environment.CurrentDirectory})");
            if (!Readers.TryGetValue(Path.GetExtension(file), out var reader))
                throw new SettingsException(key, $"'{file}': expected a .jsonl, .json or .parquet file");
            prompts.AddRange(await reader.ReadAsync(file, mapper, skips, cancellationToken).ConfigureAwait(false));
        }
        if (prompts.Count == 0)
            throw new SettingsException(key,
                $"no usable prompt in {string.Join(", ", files)} ({skips.Count} records skipped; the warnings above give each reason; check r1.data.fields and r1.data.task-fields)");
        return new InMemoryPromptDataset($"{files.Count} file(s), {prompts.Count} prompts", prompts, skips.KindsPresent);
    }
}
