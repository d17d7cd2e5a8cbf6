using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;
using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Optimization;
using static TorchSharp.torch;

namespace R1Actors.Training.Configuration;

/// <summary>
/// <c>r1.training</c> as plain values, bound from reference.conf by the executable (defaults live there only).
/// <see cref="CreateLearnerSettings"/> turns the names into strategy objects through <see cref="TrainingStrategies"/>.
/// </summary>
/// <param name="Device">Where the learner trains (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>, …).</param>
/// <param name="Dtype">Weights the learner trains: <c>float32</c> or <c>bfloat16</c>.</param>
/// <param name="Lora">The LoRA adapter to train on the frozen base (<c>r1.training.lora</c>); null trains every weight.</param>
public sealed record TrainingSettings(
    string Device,
    string Dtype,
    AlgorithmSettings Algorithm,
    OptimizerSettings Optimizer,
    ScheduleSettings Schedule,
    CheckpointSettings Checkpoint,
    LoraSettings? Lora = null)
{
    /// <summary><c>r1.training.objective</c> with its <c>rft</c> and <c>sft</c> blocks.</summary>
    public ObjectiveSettings Objective { get; init; } = ObjectiveSettings.Grpo;

    /// <summary>The dtype of the trained weights.</summary>
    public ScalarType WeightType => Dtypes.Parse(Dtype, "r1.training.dtype", "configuration");

    /// <summary>The learner's device.</summary>
    public Device TorchDevice => device(Device);

    /// <summary>The learner's algorithm; <paramref name="samplingTemperature"/> is the sampler's own setting.</summary>
    public LearnerSettings CreateLearnerSettings(double samplingTemperature) => new(
        TrainingStrategies.Advantage(Algorithm),
        TrainingStrategies.Truncation(Algorithm),
        TrainingStrategies.Aggregation(Algorithm),
        new PolicyLossSettings(Algorithm.ClipLow, Algorithm.ClipHigh, Algorithm.KlBeta, Algorithm.EntropyCoefficient),
        new AdamWSettings(Optimizer.Beta1, Optimizer.Beta2, Optimizer.Epsilon, Optimizer.WeightDecay, Optimizer.MaxGradNorm),
        TrainingStrategies.Schedule(Optimizer.Lr, Schedule),
        new MicroBatchSettings(Optimizer.MicroBatchSize, Optimizer.MicroBatchTokens, Optimizer.PackedSequences),
        samplingTemperature,
        Checkpoint.MetricHistory) { Objective = Objective.Name };
}

/// <summary><c>r1.training.algorithm</c>.</summary>
public sealed record AlgorithmSettings(
    string Advantage,
    double AdvantageEpsilon,
    double ClipLow,
    double ClipHigh,
    double KlBeta,
    double EntropyCoefficient,
    string Aggregation,
    int ConstantNormaliser,
    string Truncated,
    double TruncatedPenalty,
    bool DynamicSampling,
    int MaxDiscardedGroups);

/// <summary><c>r1.training.optimizer</c>.</summary>
public sealed record OptimizerSettings(
    double Lr,
    double Beta1,
    double Beta2,
    double Epsilon,
    double WeightDecay,
    double MaxGradNorm,
    int MicroBatchSize,
    int MicroBatchTokens,
    bool PackedSequences = false);

/// <summary><c>r1.training.schedule</c>.</summary>
public sealed record ScheduleSettings(string Kind, long WarmupSteps, long TotalSteps, double MinLrRatio);

/// <summary>
/// <c>r1.training.checkpoint</c>: where and how checkpoints are kept; <see cref="Directory"/> is relative to the run
/// folder. When to save is the pipeline's <c>r1.pipeline.checkpoint-every</c> (it supplies the resume state).
/// </summary>
public sealed record CheckpointSettings(string Folder, int KeepLast, bool VerifyHashes, int MetricHistory);

/// <summary>
/// <c>r1.training.objective</c> and the supervised stages around it. With <see cref="SftSettings.Traces"/> set and
/// an objective other than <c>sft</c>, the run is staged: SFT on the traces first (the cold start), then the objective.
/// </summary>
public sealed record ObjectiveSettings(string Name, RftSettings Rft, SftSettings Sft)
{
    public static ObjectiveSettings Grpo { get; } = new("grpo", new RftSettings("online", 1024, 3), new SftSettings("", 2, 64));

    /// <summary>Offline rejection-sampling fine-tuning: a generation pass from the base, then supervised epochs.</summary>
    public bool IsOfflineRft => Name == "rft" && Rft.Mode == "offline";

    /// <summary>A cross-entropy stage on the trace file runs before the objective's own stage.</summary>
    public bool HasColdStart => Name != "sft" && Sft.Traces.Length > 0;
}

/// <summary><c>r1.training.rft</c>.</summary>
public sealed record RftSettings(string Mode, int OfflinePrompts, int Epochs);

/// <summary><c>r1.training.sft</c>.</summary>
public sealed record SftSettings(string Traces, int Epochs, int BatchSize);
