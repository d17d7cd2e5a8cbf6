namespace R1Actors.Training.Advantages;

/// <summary>
/// GRPO (DeepSeekMath): Âᵢ = (rᵢ − mean(r)) / (std(r) + ε), std Bessel-corrected as TRL computes it.
/// Example: r = [1, 0, 0, 1], mean 0.5, std √(1/3) = 0.5774 → Â ≈ [0.866, −0.866, −0.866, 0.866] (ε = 0).
/// A group whose rewards are all equal gets all-zero advantages.
/// </summary>
public sealed class GrpoAdvantages : IAdvantageEstimator
{
    private readonly double _epsilon;

    public GrpoAdvantages(double epsilon = 1e-4)
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "the std epsilon must be a finite number ≥ 0");
        _epsilon = epsilon;
    }

    public string Name => "grpo";

    public double[] Compute(IReadOnlyList<double> groupRewards)
    {
        var mean = GroupStatistics.Mean(groupRewards);
        if (GroupStatistics.IsZeroSignal(groupRewards))
            return new double[groupRewards.Count];
        var scale = GroupStatistics.SampleStd(groupRewards) + _epsilon;
        var advantages = new double[groupRewards.Count];
        for (var i = 0; i < advantages.Length; i++)
            advantages[i] = (groupRewards[i] - mean) / scale;
        return advantages;
    }
}

/// <summary>
/// Dr. GRPO (Liu et al., "Understanding R1-Zero-like training"): Âᵢ = rᵢ − mean(r), no division by the std,
/// which removes the bias towards questions that are too easy or too hard.
/// Example: r = [1, 0, 0, 1] → Â = [0.5, −0.5, −0.5, 0.5].
/// </summary>
public sealed class DrGrpoAdvantages : IAdvantageEstimator
{
    public string Name => "dr-grpo";

    public double[] Compute(IReadOnlyList<double> groupRewards)
    {
        var mean = GroupStatistics.Mean(groupRewards);
        var advantages = new double[groupRewards.Count];
        for (var i = 0; i < advantages.Length; i++)
            advantages[i] = groupRewards[i] - mean;
        return advantages;
    }
}

/// <summary>
/// RLOO (Ahmadian et al.): each completion's baseline is the mean reward of the other G − 1,
/// Âᵢ = rᵢ − (Σⱼ rⱼ − rᵢ) / (G − 1) = G / (G − 1) · (rᵢ − mean(r)). Needs G ≥ 2.
/// Example: r = [1, 0, 0, 1] → baselines [1/3, 2/3, 2/3, 1/3] → Â = [2/3, −2/3, −2/3, 2/3].
/// </summary>
public sealed class RlooAdvantages : IAdvantageEstimator
{
    public string Name => "rloo";

    public double[] Compute(IReadOnlyList<double> groupRewards)
    {
        var count = groupRewards.Count;
        if (count < 2)
            throw new ArgumentException($"RLOO needs at least 2 completions per group, got {count}", nameof(groupRewards));
        var sum = 0.0;
        for (var i = 0; i < count; i++)
            sum += groupRewards[i];
        var advantages = new double[count];
        for (var i = 0; i < count; i++)
            advantages[i] = groupRewards[i] - (sum - groupRewards[i]) / (count - 1);
        return advantages;
    }
}
