using System.Globalization;
using System.Text.Json;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Training.Learning;
using Serilog;

namespace R1Actors.Training.Checkpoints;

/// <summary>A complete checkpoint on disk.</summary>
public sealed record CheckpointInfo(string Path, long Step);

/// <summary>
/// The run's <c>checkpoint-STEP/</c> folders. Each holds a Hugging Face model folder (<c>config.json</c>,
/// <c>model.safetensors</c> and the base model's tokenizer files, loadable by <see cref="ModelFolder.Load"/>, by
/// <c>r1actors eval</c> and by other tools) — or, with LoRA, the adapter alone in PEFT's layout
/// (<c>adapter_config.json</c>, <c>adapter_model.safetensors</c>, see <see cref="AdapterFolder"/>) —, the optimizer's
/// state, the RNG state and <c>trainer_state.json</c>, with <c>manifest.json</c> written last. A save goes to
/// a hidden <c>.checkpoint-STEP.partial-*</c> folder that is renamed into place only when complete, so a crash
/// mid-save leaves either the previous checkpoints alone or a partial folder that resume ignores and the
/// next start removes. After each save only the newest <c>keepLast</c> checkpoints are kept.
/// </summary>
public sealed class CheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string PartialPrefix = ".checkpoint-";
    private readonly ILogger _log;
    private readonly TimeProvider _time;

    public CheckpointStore(string directory, int keepLast, bool verifyHashes = true, ILogger? log = null, TimeProvider? time = null)
    {
        if (keepLast < 1)
            throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, $"r1.training.checkpoint.keep-last must be ≥ 1, got {keepLast}");
        Folder = Path.GetFullPath(directory);
        KeepLast = keepLast;
        VerifyHashes = verifyHashes;
        _log = log ?? Serilog.Core.Logger.None;
        _time = time ?? TimeProvider.System;
    }

    public string Folder { get; }

    public int KeepLast { get; }

    public bool VerifyHashes { get; }

    /// <summary>
    /// Files copied into every checkpoint beside the weights (the base model's tokenizer and generation config, see
    /// <see cref="ModelFolder.CompanionFiles"/>), so that a checkpoint is a model folder that loads on its own.
    /// </summary>
    public IReadOnlyList<string> CompanionFiles { get; init; } = [];

    /// <summary>
    /// Writes the learner's state as <c>checkpoint-STEP/</c>, then removes checkpoints beyond the newest
    /// <see cref="KeepLast"/>. The policy writes its own weights (<see cref="ICausalLanguageModel.SaveWeights"/>:
    /// a Hugging Face model folder for the policy's decoders).
    /// </summary>
    /// <param name="pipelineState">Opaque resume state of the pipeline (prompt cursor …), stored as given.</param>
    public CheckpointInfo Save(Learner learner, JsonElement? pipelineState = null)
    {
        Directory.CreateDirectory(Folder);
        var final = Path.Combine(Folder, Prefix + learner.Step.ToString(CultureInfo.InvariantCulture));
        var partial = Path.Combine(Folder, $"{PartialPrefix}{learner.Step}.partial-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(partial);
            learner.Policy.SaveWeights(partial);
            foreach (var file in CompanionFiles)
                File.Copy(file, Path.Combine(partial, Path.GetFileName(file)));
            OptimizerFiles.Write(partial, learner.Optimizer);
            CheckpointJson.WriteFile(Path.Combine(partial, RngState.FileName), RngState.Capture());
            var state = new TrainerState(learner.Step, learner.PolicyVersion, learner.Optimizer.StepsApplied, learner.TotalTokensTrained,
                _time.GetUtcNow(), pipelineState, learner.History.Entries.Select(e => new Dictionary<string, double>(e)).ToList());
            CheckpointJson.WriteFile(Path.Combine(partial, TrainerState.FileName), state);
            CheckpointManifest.Write(partial, learner.Step, learner.PolicyVersion);
            FlushToDisk(partial);
            ReplaceWith(final, partial);
        }
        catch
        {
            DeleteQuietly(partial);
            throw;
        }
        _log.ForContext("EventKind", "Checkpoint")
            .Information("Checkpoint {CheckpointPath} saved at step {Step}, policy version {PolicyVersion}", final, learner.Step, learner.PolicyVersion);
        Prune(learner.Step);
        return new CheckpointInfo(final, learner.Step);
    }

    /// <summary>Complete checkpoints, newest first; incomplete ones are skipped with a logged reason.</summary>
    public IReadOnlyList<CheckpointInfo> Complete()
    {
        if (!Directory.Exists(Folder))
            return [];
        var complete = new List<CheckpointInfo>();
        foreach (var (path, step) in Candidates().OrderByDescending(c => c.Step))
        {
            var problem = CheckpointManifest.Problem(path, VerifyHashes);
            if (problem is null)
                complete.Add(new CheckpointInfo(path, step));
            else
                _log.Warning("Ignoring checkpoint {CheckpointPath}: {Problem}", path, problem);
        }
        return complete;
    }

    /// <summary>The newest complete checkpoint, or null when there is none (a fresh run).</summary>
    public CheckpointInfo? Latest() => Complete().FirstOrDefault();

    /// <summary>
    /// Restores the learner's optimizer state, RNG state, counters and metric history from
    /// <paramref name="checkpoint"/>, and returns the trainer state (with the pipeline's blob). The policy's
    /// weights are restored by building the learner on <c>ModelFolder.Load(checkpoint.Path, …)</c>.
    /// </summary>
    public TrainerState Restore(Learner learner, CheckpointInfo checkpoint)
    {
        var state = CheckpointJson.ReadFile<TrainerState>(Path.Combine(checkpoint.Path, TrainerState.FileName));
        var saved = OptimizerFiles.Restore(checkpoint.Path, learner.Optimizer);
        if (saved.Settings != learner.Optimizer.Settings)
            _log.Information("Resuming with optimizer settings {CurrentSettings}; the checkpoint was trained with {SavedSettings}", learner.Optimizer.Settings, saved.Settings);
        CheckpointJson.ReadFile<RngState>(Path.Combine(checkpoint.Path, RngState.FileName)).Apply();
        learner.RestoreCounters(state.Step, state.PolicyVersion, state.TotalTokensTrained);
        learner.History.Restore(state.MetricHistory);
        _log.Information("Resumed from {CheckpointPath}: step {Step}, policy version {PolicyVersion}", checkpoint.Path, state.Step, state.PolicyVersion);
        return state;
    }

    /// <summary>Removes folders of saves that never finished (from a crash); call once at start-up.</summary>
    public int RemovePartialSaves()
    {
        if (!Directory.Exists(Folder))
            return 0;
        var partials = Directory.EnumerateDirectories(Folder, PartialPrefix + "*").ToArray();
        foreach (var partial in partials)
        {
            _log.Warning("Removing unfinished checkpoint save {CheckpointPath}", partial);
            DeleteQuietly(partial);
        }
        return partials.Length;
    }

    private IEnumerable<(string Path, long Step)> Candidates() =>
        Directory.EnumerateDirectories(Folder, Prefix + "*")
            .Select(path => (Path: path, Name: Path.GetFileName(path)))
            .Where(c => long.TryParse(c.Name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(c => (c.Path, long.Parse(c.Name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture)));

    /// <summary>
    /// Keeps the newest <see cref="KeepLast"/> checkpoints up to <paramref name="saved"/>, the step just saved. Any
    /// folder of a later step belongs to a future this run abandoned (it resumed from an older checkpoint because
    /// that one was incomplete or corrupt), so it is removed rather than allowed to take a kept place. The manifest
    /// goes first so a half-deleted folder never looks complete.
    /// </summary>
    private void Prune(long saved)
    {
        var candidates = Candidates().OrderByDescending(c => c.Step).ToArray();
        foreach (var (path, step) in candidates.Where(c => c.Step > saved))
            _log.Warning("Removing {CheckpointPath}: step {Step} is past the step just saved ({SavedStep}), left by a run that resumed from an older checkpoint", path, step, saved);
        foreach (var (path, _) in candidates.Where(c => c.Step > saved).Concat(candidates.Where(c => c.Step <= saved).Skip(KeepLast)))
        {
            File.Delete(Path.Combine(path, CheckpointManifest.FileName));
            DeleteQuietly(path);
        }
    }

    /// <summary>Forces every file of a finished save onto the disk before the rename publishes it, so that a power cut cannot leave a renamed folder of empty files.</summary>
    private static void FlushToDisk(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Moves the finished save into place; an older folder of the same step (a re-run after resume) is retired first.</summary>
    private void ReplaceWith(string final, string partial)
    {
        if (Directory.Exists(final))
        {
            var retired = Path.Combine(Folder, $"{PartialPrefix}{Path.GetFileName(final)[Prefix.Length..]}.retired-{Guid.NewGuid():N}");
            File.Delete(Path.Combine(final, CheckpointManifest.FileName));
            Directory.Move(final, retired);
            DeleteQuietly(retired);
        }
        Directory.Move(partial, final);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // a later RemovePartialSaves or Prune retries
        }
    }
}
