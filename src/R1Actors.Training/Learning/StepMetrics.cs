namespace R1Actors.Training.Learning;

/// <summary>
/// Everything measured in one learner step. <see cref="ToDictionary"/> gives the names people know from TRL
/// (<c>reward_std</c>, <c>frac_reward_zero_std</c>, <c>completions/clipped_ratio</c>, …); the properties keep
/// stable names for structured logs. Token-level figures are means over the trained completion tokens.
/// </summary>
public sealed record StepMetrics
{
    public required long Step { get; init; }
    public required long PolicyVersion { get; init; }
    public required bool Applied { get; init; }

    /// <summary>The aggregated policy loss of the step (the objective that was differentiated).</summary>
    public required double Loss { get; init; }
    /// <summary>Global L2 norm of the gradient before clipping.</summary>
    public required double GradNorm { get; init; }
    public required double LearningRate { get; init; }
    /// <summary>k3 estimate of KL(behaviour ‖ current) per token: how far the sampled data is off-policy.</summary>
    public required double ApproxKl { get; init; }
    /// <summary>k3 estimate of KL(current ‖ reference) per token; null when no reference is in use.</summary>
    public required double? KlToReference { get; init; }
    public required double Entropy { get; init; }
    public required double ImportanceRatioMean { get; init; }
    public required double ClipRatioLow { get; init; }
    public required double ClipRatioHigh { get; init; }

    public required double RewardMean { get; init; }
    /// <summary>Mean over groups of the within-group standard deviation of the rewards.</summary>
    public required double RewardStd { get; init; }
    public required double Accuracy { get; init; }
    /// <summary>Fraction of groups whose rewards were all equal (including those dynamic sampling discarded).</summary>
    public required double FracRewardZeroStd { get; init; }
    public required double AdvantageAbsMean { get; init; }
    public required double CompletionLengthMean { get; init; }
    public required int CompletionLengthMax { get; init; }
    public required int CompletionLengthMin { get; init; }
    /// <summary>Fraction of completions cut off at the token limit.</summary>
    public required double TruncatedFraction { get; init; }
    public required int Groups { get; init; }
    public required int Completions { get; init; }
    public required double StalenessMean { get; init; }
    public required long StalenessMax { get; init; }

    /// <summary>Completion tokens that took part in the loss this step.</summary>
    public required long TokensTrained { get; init; }
    /// <summary>Completion tokens trained since the run began.</summary>
    public required long TotalTokensTrained { get; init; }
    public required int MicroBatches { get; init; }
    public required double Seconds { get; init; }
    public double TokensPerSecond => Seconds > 0 ? TokensTrained / Seconds : 0.0;

    /// <summary>The figures under their TRL-style names, for metric history and dashboards.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["step"] = Step,
            ["policy_version"] = PolicyVersion,
            ["loss"] = Loss,
            ["grad_norm"] = GradNorm,
            ["learning_rate"] = LearningRate,
            ["approx_kl"] = ApproxKl,
            ["entropy"] = Entropy,
            ["importance_ratio/mean"] = ImportanceRatioMean,
            ["clip_ratio/low_mean"] = ClipRatioLow,
            ["clip_ratio/high_mean"] = ClipRatioHigh,
            ["clip_ratio/region_mean"] = ClipRatioLow + ClipRatioHigh,
            ["reward"] = RewardMean,
            ["reward_std"] = RewardStd,
            ["accuracy"] = Accuracy,
            ["frac_reward_zero_std"] = FracRewardZeroStd,
            ["advantages/abs_mean"] = AdvantageAbsMean,
            ["completions/mean_length"] = CompletionLengthMean,
            ["completions/max_length"] = CompletionLengthMax,
            ["completions/min_length"] = CompletionLengthMin,
            ["completions/clipped_ratio"] = TruncatedFraction,
            ["staleness/mean"] = StalenessMean,
            ["staleness/max"] = StalenessMax,
            ["num_tokens"] = TokensTrained,
            ["num_tokens/total"] = TotalTokensTrained,
            ["micro_batches"] = MicroBatches,
            ["step_seconds"] = Seconds,
            ["tokens_per_second"] = TokensPerSecond,
        };
        if (KlToReference is { } kl)
            metrics["kl"] = kl;
        return metrics;
    }
}
