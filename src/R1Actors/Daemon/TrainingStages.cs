using R1Actors.Cli;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Graph;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Settings;
using R1Actors.Rewards;
using R1Actors.Training.Checkpoints;
using R1Actors.Training.Configuration;
using Serilog;

namespace R1Actors.Daemon;

/// <summary>
/// What the supervised stages left to do: the model folder the RL pipeline starts from, or, when the supervised
/// stage was the whole run (<c>sft</c>, offline <c>rft</c>) or a stop request came during it, how the run ended.
/// </summary>
public sealed record StagesOutcome(string PipelineBase, PipelineOutcome? Finished);

/// <summary>What a finished cold start did (<c>cold-start/model/stage.json</c>); <see cref="Seconds"/> counts the process that finished it.</summary>
public sealed record ColdStartSummary(long Traces, long Steps, double Seconds)
{
    public const string FileName = "stage.json";
    internal static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);
}

/// <summary>
/// The stages of <c>r1.training.objective</c> around the RL pipeline, all in one run folder and one log:
/// <list type="bullet">
/// <item><c>grpo</c> or online <c>rft</c>: the pipeline alone, from the base model.</item>
/// <item><c>sft</c>: supervised epochs over <c>r1.training.sft.traces</c>, checkpoints in the run's checkpoint folder; no pipeline.</item>
/// <item>offline <c>rft</c>: a generation pass from the base (<see cref="OfflineGeneration"/>), then supervised epochs
/// over what passed, as <c>sft</c>; no pipeline.</item>
/// <item><c>grpo</c> or online <c>rft</c> with <c>sft.traces</c> (R1's cold start): supervised epochs over the traces with
/// checkpoints in <c>cold-start/checkpoints</c>; the finished weights are handed over as the model folder
/// <c>cold-start/model</c> (written whole, then renamed into place), which the pipeline starts from and resumes onto.</item>
/// </list>
/// Each stage resumes from its own newest complete checkpoint; a finished cold start is not run again.
/// </summary>
public sealed class TrainingStages(RunContext context, TimeProvider time)
{
    public const string ColdStartFolder = "cold-start";
    private static ILogger Log => Serilog.Log.ForContext<TrainingStages>();

    /// <summary>Where a finished cold start's weights are: the pipeline's base model.</summary>
    public static string HandOverFolder(string runDirectory) => Path.Combine(runDirectory, ColdStartFolder, "model");

    public async Task<StagesOutcome> RunAsync(ModelSettings model, RewardDispatcher rewards, IPromptDataset training, CancellationToken stop)
    {
        var s = context.Settings;
        var objective = s.Training.Objective;
        if (objective.Name == "sft")
            return new(model.Path, Supervised("sft", s.Training, model, TraceFile.Read(objective.Sft.Traces, Log), objective.Sft.Epochs, stop));
        if (objective.IsOfflineRft)
        {
            await OfflineGeneration.RunAsync(s, model, rewards, training, context.RunDirectory, Log, stop).ConfigureAwait(false);
            var passed = TraceFile.Read(OfflineGeneration.TracesPath(context.RunDirectory), Log);
            return new(model.Path, Supervised("rft-offline", s.Training, model, passed, objective.Rft.Epochs, stop));
        }
        if (!objective.HasColdStart)
            return new(model.Path, null);
        var handOver = HandOverFolder(context.RunDirectory);
        if (File.Exists(Path.Combine(handOver, ModelFolder.ConfigFile)))
            return new(handOver, null);
        if (s.Training.Lora is not null)
            throw new SettingsException("r1.training.sft.traces", "a cold start before RL hands over full weights; turn r1.training.lora off, or leave sft.traces empty");
        var coldStart = s.Training with { Checkpoint = s.Training.Checkpoint with { Folder = Path.Combine(ColdStartFolder, "checkpoints") } };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ended = Supervised("cold-start", coldStart, model, TraceFile.Read(objective.Sft.Traces, Log), objective.Sft.Epochs, stop);
        if (ended.Reason == StopReason.Stopped)
            return new(model.Path, ended);
        HandOver(Path.Combine(context.RunDirectory, coldStart.Checkpoint.Folder), handOver,
            new ColdStartSummary(ended.Progress.DatasetCount, ended.Progress.Step, watch.Elapsed.TotalSeconds));
        return new(handOver, null);
    }

    /// <summary>The cold start that made a hand-over folder, from its <c>stage.json</c>; null when there is none.</summary>
    public static ColdStartSummary? ReadColdStart(string runDirectory)
    {
        var path = Path.Combine(HandOverFolder(runDirectory), ColdStartSummary.FileName);
        return File.Exists(path) ? System.Text.Json.JsonSerializer.Deserialize<ColdStartSummary>(File.ReadAllText(path), ColdStartSummary.Json) : null;
    }

    private PipelineOutcome Supervised(string stage, TrainingSettings training, ModelSettings model, TraceSet traces, int epochs, CancellationToken stop)
    {
        var s = context.Settings;
        var tokenized = SupervisedStage.Tokenize(traces.Traces, model, s.Tokenizer);
        var runner = new SupervisedStage(stage, training, s.Sampling.Options.Temperature, s.Pipeline.CheckpointEvery, s.Pipeline.Seed, Log, time);
        var (step, version) = runner.Run(model.Path, context.RunDirectory, tokenized, epochs, stop);
        var done = step >= SupervisedStage.Steps(tokenized.Count, training.Objective.Sft.BatchSize, epochs);
        Log.Information("Stage {Stage} {StageState} at step {Step} ({TraceCount} traces, {SkippedTraces} skipped lines)",
            stage, done ? "finished" : "stopped", step, tokenized.Count, traces.Skipped.Count);
        var progress = new PipelineProgress(step, version, new PromptCursor(0, 0), [], tokenized.Count, s.Data.Seed, s.Pipeline.Seed);
        return new PipelineOutcome(done ? StopReason.PromptsExhausted : StopReason.Stopped, progress, step * (long)training.Objective.Sft.BatchSize, 0);
    }

    /// <summary>The stage's last checkpoint as a model folder (weights, config, tokenizer), written beside it and renamed into place.</summary>
    private static void HandOver(string checkpoints, string handOver, ColdStartSummary summary)
    {
        var store = new CheckpointStore(checkpoints, keepLast: int.MaxValue, verifyHashes: true);
        var latest = store.Latest() ?? throw new InvalidOperationException($"the cold start finished without a checkpoint in {checkpoints}");
        var partial = handOver + ".partial";
        if (Directory.Exists(partial))
            Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        foreach (var file in Directory.GetFiles(latest.Path).Where(f => !IsTrainerFile(Path.GetFileName(f))))
            File.Copy(file, Path.Combine(partial, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(partial, ColdStartSummary.FileName), System.Text.Json.JsonSerializer.Serialize(summary, ColdStartSummary.Json));
        Directory.Move(partial, handOver);
        Log.Information("Cold start handed over: {CheckpointPath} is the RL stage's base model {ModelFolder}", latest.Path, handOver);
    }

    private static bool IsTrainerFile(string name) =>
        name is TrainerState.FileName or CheckpointManifest.FileName or RngState.FileName || name.StartsWith("optimizer", StringComparison.Ordinal);
}
