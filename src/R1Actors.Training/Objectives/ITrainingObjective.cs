using R1Actors.Training.Loss;
using static TorchSharp.torch;

namespace R1Actors.Training.Objectives;

/// <summary>
/// What a learner step optimises (<c>r1.training.objective</c>): which completions of a group train and with
/// what advantage, and the per-token loss over them. GRPO trains every completion with its group-relative
/// advantage through the clipped surrogate; rejection-sampling fine-tuning and SFT train only the
/// verified-correct completions with plain cross-entropy. The learner, batching, aggregation, optimizer and
/// checkpoints are the same for every objective.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The configuration name (<c>grpo</c>, <c>rft</c>, <c>sft</c>).</summary>
    string Name { get; }

    /// <summary>
    /// One entry per completion of <paramref name="group"/>, in order: its advantage, or null when it does not
    /// train. <paramref name="shapedRewards"/> are the rewards after the truncation policy shaped them.
    /// </summary>
    double?[] Advantages(ScoredGroup group, IReadOnlyList<double> shapedRewards);

    /// <summary>Why a step whose batch kept no completion at all trains nothing (the skip reason).</summary>
    string NothingKeptReason { get; }

    /// <summary>The scalar loss of one micro-batch (with gradient) and its statistics.</summary>
    (Tensor Loss, LossStatistics Statistics) Compute(LossInputs batch);
}
