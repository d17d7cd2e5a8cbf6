namespace R1Actors.Training.Optimization;

/// <summary>AdamW hyper-parameters (the learning rate comes from the schedule).</summary>
/// <param name="Beta1">Decay of the first moment.</param>
/// <param name="Beta2">Decay of the second moment.</param>
/// <param name="Epsilon">Added to √v̂ in the denominator.</param>
/// <param name="WeightDecay">Decoupled weight decay; applied to matrices only (never to norms or biases, which are 1-D).</param>
/// <param name="MaxGradNorm">Global gradient-norm clip; 0 turns clipping off.</param>
public sealed record AdamWSettings(
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8,
    double WeightDecay = 0.0,
    double MaxGradNorm = 1.0)
{
    /// <summary>Throws with the offending setting's name when a value is out of range.</summary>
    public void Validate()
    {
        Require(Beta1 is >= 0 and < 1, "beta1", Beta1, "a number in [0, 1)");
        Require(Beta2 is >= 0 and < 1, "beta2", Beta2, "a number in [0, 1)");
        Require(Epsilon > 0 && double.IsFinite(Epsilon), "epsilon", Epsilon, "a positive number");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), "weight-decay", WeightDecay, "a number ≥ 0");
        Require(MaxGradNorm >= 0 && double.IsFinite(MaxGradNorm), "max-grad-norm", MaxGradNorm, "a number ≥ 0 (0 turns clipping off)");
    }

    private static void Require(bool ok, string key, double value, string expected)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(key, value, $"r1.training.optimizer.{key} must be {expected}, got {value}");
    }
}
