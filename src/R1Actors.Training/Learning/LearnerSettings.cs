using R1Actors.Training.Advantages;
using R1Actors.Training.Loss;
using R1Actors.Training.Optimization;

namespace R1Actors.Training.Learning;

/// <summary>
/// Everything the learner's algorithm is made of, as strategy objects. Build one from configuration with
/// <see cref="Configuration.TrainingSettings.CreateLearnerSettings"/>, or directly in code and tests.
/// </summary>
/// <param name="Advantages">How group rewards become advantages (GRPO, Dr. GRPO, RLOO).</param>
/// <param name="Truncation">What happens to completions cut off at the token limit.</param>
/// <param name="Aggregation">How per-token losses are summed into the step's loss.</param>
/// <param name="Loss">Clip ranges, KL β, entropy coefficient.</param>
/// <param name="Optimizer">AdamW hyper-parameters and the gradient-norm clip.</param>
/// <param name="Schedule">Learning rate per step (warm-up, then constant or cosine).</param>
/// <param name="MicroBatches">Size limits of one forward/backward pass.</param>
/// <param name="Temperature">
/// The sampling temperature the behaviour log-probs were computed at (log-softmax of logits / T); the learner
/// scores at the same temperature so that the importance ratio compares like with like. Bind it from the
/// sampler's own setting, never from a second key.
/// </param>
/// <param name="MetricHistory">How many recent steps' metrics the learner keeps (and checkpoints save).</param>
public sealed record LearnerSettings(
    IAdvantageEstimator Advantages,
    ITruncationPolicy Truncation,
    ILossAggregation Aggregation,
    PolicyLossSettings Loss,
    AdamWSettings Optimizer,
    ILearningRateSchedule Schedule,
    MicroBatchSettings MicroBatches,
    double Temperature = 1.0,
    int MetricHistory = 1000)
{
    /// <summary>What the step optimises (<c>r1.training.objective</c>, a key of <see cref="Configuration.TrainingStrategies.Objectives"/>).</summary>
    public string Objective { get; init; } = "grpo";
}
