using R1Actors.Training.Advantages;
using R1Actors.Training.Loss;
using static TorchSharp.torch;

namespace R1Actors.Training.Objectives;

/// <summary>
/// <c>grpo</c>, R1-Zero's objective: every completion trains with its group-relative advantage (the configured
/// estimator: GRPO, Dr. GRPO or RLOO) through the clipped surrogate of <see cref="PolicyLoss"/>.
/// </summary>
public sealed class GrpoObjective(IAdvantageEstimator estimator, PolicyLoss loss) : ITrainingObjective
{
    public string Name => "grpo";

    public string NothingKeptReason => "no completion tokens to train on (every completion was masked)";

    public double?[] Advantages(ScoredGroup group, IReadOnlyList<double> shapedRewards) =>
        [.. estimator.Compute(shapedRewards).Select(a => (double?)a)];

    public (Tensor Loss, LossStatistics Statistics) Compute(LossInputs batch) => loss.Compute(batch);
}
