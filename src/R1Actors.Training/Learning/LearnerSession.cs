using System.Text.Json;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Training.Checkpoints;
using R1Actors.Training.Configuration;
using Serilog;

namespace R1Actors.Training.Learning;

/// <summary>
/// Everything the learner actor owns during a run, opened in one call: the policy (from the newest complete
/// checkpoint of the run, else from the base model folder), the frozen reference when the KL penalty is on
/// (always the base model), the <see cref="Learning.Learner"/> with its optimizer state restored, and the
/// run's <see cref="CheckpointStore"/>. The current weights are published before <see cref="Open"/> returns,
/// so samplers can start at once. Not thread-safe: use it from the learner's thread.
/// </summary>
public sealed class LearnerSession : IDisposable
{
    private readonly CausalLanguageModel _policy;
    private readonly CausalLanguageModel? _reference;   // a second model only without LoRA
    private readonly CheckpointStore _checkpoints;

    private LearnerSession(CausalLanguageModel policy, CausalLanguageModel? reference, Learner learner, CheckpointStore checkpoints,
        CheckpointInfo? resumedFrom, TrainerState? resumed)
    {
        ResumedFrom = resumedFrom;
        _policy = policy;
        _reference = reference;
        Learner = learner;
        _checkpoints = checkpoints;
        Resumed = resumed;
    }

    public Learner Learner { get; }

    /// <summary>The checkpoint the run resumed from; null for a fresh run.</summary>
    public CheckpointInfo? ResumedFrom { get; }

    /// <summary>The state the run resumed from (with the pipeline's blob); null for a fresh run.</summary>
    public TrainerState? Resumed { get; }

    /// <param name="settings">The bound <c>r1.training</c> block.</param>
    /// <param name="baseModelFolder">The Hugging Face folder of the initial policy.</param>
    /// <param name="runDirectory">The run folder; checkpoints go to its <c>r1.training.checkpoint.dir</c>.</param>
    /// <param name="samplingTemperature">The sampler's temperature (see <see cref="LearnerSettings.Temperature"/>).</param>
    public static LearnerSession Open(TrainingSettings settings, string baseModelFolder, string runDirectory, double samplingTemperature,
        ILogger? log = null, TimeProvider? time = null)
    {
        var learnerSettings = settings.CreateLearnerSettings(samplingTemperature);
        var store = new CheckpointStore(Path.Combine(runDirectory, settings.Checkpoint.Folder), settings.Checkpoint.KeepLast,
            settings.Checkpoint.VerifyHashes, log, time) { CompanionFiles = ModelFolder.CompanionFiles(baseModelFolder) };
        store.RemovePartialSaves();
        var latest = store.Latest();
        if (latest is not null)
            CheckSameModel(latest.Path, baseModelFolder, settings.Lora);
        var policy = OpenPolicy(settings, baseModelFolder, latest);
        CausalLanguageModel? reference = null;
        Learner? learner = null;
        try
        {
            // With LoRA the reference is the policy with its adapter off: the frozen base, without a second copy.
            ICausalLanguageModel? kl = null;
            if (learnerSettings.Loss.UsesReference)
                kl = policy.Adapter is not null ? policy.WithoutAdapter() : reference = ModelFolder.Load(baseModelFolder, settings.TorchDevice, settings.WeightType);
            learner = new Learner(policy, learnerSettings, kl, log, time);
            var resumed = latest is null ? null : store.Restore(learner, latest);
            learner.PublishCurrent();
            return new LearnerSession(policy, reference, learner, store, latest, resumed);
        }
        catch
        {
            learner?.Dispose();
            reference?.Dispose();
            policy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The policy to train: the checkpoint's model, else the base; with LoRA always the base (frozen, in
    /// r1.training.dtype) with the checkpoint's adapter on it, or a fresh one.
    /// </summary>
    private static CausalLanguageModel OpenPolicy(TrainingSettings settings, string baseModelFolder, CheckpointInfo? latest)
    {
        if (settings.Lora is not { } lora)
            return ModelFolder.Load(latest?.Path ?? baseModelFolder, settings.TorchDevice, settings.WeightType);
        var policy = ModelFolder.Load(baseModelFolder, settings.TorchDevice, settings.WeightType);
        try
        {
            var adapter = policy.AttachAdapter(lora, AdapterFolder.BaseName(baseModelFolder));
            if (latest is not null)
                AdapterFolder.LoadInto(adapter, latest.Path);
            return policy;
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A checkpoint resumes only onto the model it was trained from, and only as what it holds: a full model
    /// without LoRA, an adapter (of the same shape, on the same base) with it.
    /// </summary>
    /// <exception cref="ModelFormatException">The checkpoint does not fit the configured model or r1.training.lora.</exception>
    private static void CheckSameModel(string checkpoint, string baseModelFolder, Policy.Model.Lora.LoraSettings? lora)
    {
        var holdsAdapter = AdapterFolder.IsAdapter(checkpoint);
        if (holdsAdapter != lora is not null)
            throw new ModelFormatException(
                $"{checkpoint} holds {(holdsAdapter ? "a LoRA adapter" : "a full model")} but r1.training.lora.enabled is {(lora is not null ? "true" : "false")}; " +
                "set it back to what the run was trained with, or start a new run with another --run-dir");
        if (lora is null)
        {
            CheckSameShape(checkpoint, baseModelFolder);
            return;
        }
        AdapterFolder.CheckBase(checkpoint, baseModelFolder);
        var saved = AdapterFolder.ReadConfig(checkpoint).Settings;
        if (saved.Rank != lora.Rank || saved.Alpha != lora.Alpha || !saved.TargetModules.SequenceEqual(lora.TargetModules))
            throw new ModelFormatException(
                $"{Path.Combine(checkpoint, AdapterFolder.ConfigFile)} was trained with r = {saved.Rank}, lora_alpha = {saved.Alpha}, target_modules [{string.Join(", ", saved.TargetModules)}], " +
                $"but r1.training.lora says rank = {lora.Rank}, alpha = {lora.Alpha}, target-modules [{string.Join(", ", lora.TargetModules)}]; set them back, or start a new run with another --run-dir");
    }

    /// <summary>A checkpoint resumes only onto the model it was trained from: another shape is a configuration mistake.</summary>
    /// <exception cref="ModelFormatException">The checkpoint's config.json and the base model's differ in shape.</exception>
    private static void CheckSameShape(string checkpoint, string baseModelFolder)
    {
        if (ModelFolder.ReadConfig(checkpoint).ShapeDifference(ModelFolder.ReadConfig(baseModelFolder)) is not { } difference)
            return;
        throw new ModelFormatException(
            $"{Path.Combine(checkpoint, ModelFolder.ConfigFile)} does not match the base model {Path.Combine(baseModelFolder, ModelFolder.ConfigFile)} " +
            $"({difference}): the run was trained from another model; set r1.model.path (or r1.model.tiny) back to it, or start a new run with another --run-dir");
    }

    /// <summary>One learner step (see <see cref="Learner.Train"/>).</summary>
    public StepResult Train(LearnerBatch batch) => Learner.Train(batch);

    /// <summary>Saves <c>checkpoint-STEP/</c> with the pipeline's resume state.</summary>
    public CheckpointInfo SaveCheckpoint(JsonElement? pipelineState) => _checkpoints.Save(Learner, pipelineState);

    public void Dispose()
    {
        Learner.Dispose();
        _reference?.Dispose();
        _policy.Dispose();
    }
}
