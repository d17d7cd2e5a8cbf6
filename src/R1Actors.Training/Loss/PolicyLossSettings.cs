namespace R1Actors.Training.Loss;

/// <summary>
/// Coefficients of the per-token policy loss.
/// </summary>
/// <param name="ClipLow">ε_low: the ratio is clipped below at 1 − ε_low (0.2 in PPO and GRPO).</param>
/// <param name="ClipHigh">ε_high: the ratio is clipped above at 1 + ε_high (DAPO's clip-higher uses 0.28).</param>
/// <param name="KlBeta">β of the k3 KL penalty to the frozen reference; 0 turns it off (no reference is needed).</param>
/// <param name="EntropyCoefficient">Weight of the entropy bonus; 0 turns it off (entropy is still reported).</param>
public sealed record PolicyLossSettings(
    double ClipLow = 0.2,
    double ClipHigh = 0.2,
    double KlBeta = 0.0,
    double EntropyCoefficient = 0.0)
{
    /// <summary>True when the loss needs log-probs from a frozen reference model.</summary>
    public bool UsesReference => KlBeta != 0.0;

    /// <summary>Throws with the offending setting's name when a coefficient is out of range.</summary>
    public void Validate()
    {
        Require(ClipLow is >= 0 and < 1, "clip-low", ClipLow, "a number in [0, 1)");
        Require(ClipHigh is >= 0 && double.IsFinite(ClipHigh), "clip-high", ClipHigh, "a finite number ≥ 0");
        Require(KlBeta is >= 0 && double.IsFinite(KlBeta), "kl-beta", KlBeta, "a finite number ≥ 0 (0 turns the KL penalty off)");
        Require(double.IsFinite(EntropyCoefficient), "entropy-coefficient", EntropyCoefficient, "a finite number");
    }

    private static void Require(bool ok, string key, double value, string expected)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(key, value, $"r1.training.algorithm.{key} must be {expected}, got {value}");
    }
}
