namespace R1Actors.Training.Learning;

/// <summary>
/// Everything measured in one learner step. <see cref="ToDictionary"/> gives snake_case names, TRL's where TRL
/// has one (<c>reward_std</c>, <c>frac_reward_zero_std</c>, <c>completions/clipped_ratio</c>,
/// <c>clip_ratio/low_mean</c>, <c>grad_norm</c>, …); each name turned into PascalCase (split on <c>/ _</c>,
/// capitalise, join) is the property that holds it — the stable property names of the run's Step events
/// (<c>RewardMean</c>, <c>Kl</c>, <c>KlReference</c>, <c>Staleness</c>, <c>StepSeconds</c>, …).
/// Token-level figures are means over the trained completion tokens. <c>kl</c> is the approximate KL between
/// the behaviour (sampling) policy and the current one; <c>kl_reference</c> the KL to the frozen reference.
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
    public required double Kl { get; init; }
    /// <summary>k3 estimate of KL(current ‖ reference) per token; null when no reference is in use.</summary>
    public required double? KlReference { get; init; }
    public required double Entropy { get; init; }
    public required double ImportanceRatioMean { get; init; }
    public required double ClipRatioLowMean { get; init; }
    public required double ClipRatioHighMean { get; init; }
    public double ClipRatioRegionMean => ClipRatioLowMean + ClipRatioHighMean;

    public required double RewardMean { get; init; }
    /// <summary>Mean over groups of the within-group standard deviation of the rewards.</summary>
    public required double RewardStd { get; init; }
    public required double Accuracy { get; init; }
    /// <summary>Fraction of groups whose rewards were all equal (including those dynamic sampling discarded).</summary>
    public required double FracRewardZeroStd { get; init; }
    public required double AdvantagesAbsMean { get; init; }
    public required double CompletionLengthMean { get; init; }
    public required int CompletionLengthMax { get; init; }
    public required int CompletionLengthMin { get; init; }
    /// <summary>Fraction of completions cut off at the token limit.</summary>
    public required double CompletionsClippedRatio { get; init; }
    public required int Groups { get; init; }
    public required int Completions { get; init; }
    public required double Staleness { get; init; }
    public required long StalenessMax { get; init; }

    /// <summary>Completion tokens that took part in the loss this step.</summary>
    public required long NumTokens { get; init; }
    /// <summary>Same as <see cref="NumTokens"/>.</summary>
    public long TokensTrained => NumTokens;
    /// <summary>Completion tokens trained since the run began.</summary>
    public required long NumTokensTotal { get; init; }
    public required int MicroBatches { get; init; }
    public required double StepSeconds { get; init; }
    public double TokensPerSecond => StepSeconds > 0 ? TokensTrained / StepSeconds : 0.0;

    /// <summary>The figures under their snake_case (TRL-style) names, for metric history and dashboards.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["step"] = Step,
            ["policy_version"] = PolicyVersion,
            ["loss"] = Loss,
            ["grad_norm"] = GradNorm,
            ["learning_rate"] = LearningRate,
            ["kl"] = Kl,
            ["entropy"] = Entropy,
            ["importance_ratio_mean"] = ImportanceRatioMean,
            ["clip_ratio/low_mean"] = ClipRatioLowMean,
            ["clip_ratio/high_mean"] = ClipRatioHighMean,
            ["clip_ratio/region_mean"] = ClipRatioRegionMean,
            ["reward_mean"] = RewardMean,
            ["reward_std"] = RewardStd,
            ["accuracy"] = Accuracy,
            ["frac_reward_zero_std"] = FracRewardZeroStd,
            ["advantages/abs_mean"] = AdvantagesAbsMean,
            ["completion_length_mean"] = CompletionLengthMean,
            ["completion_length_max"] = CompletionLengthMax,
            ["completion_length_min"] = CompletionLengthMin,
            ["completions/clipped_ratio"] = CompletionsClippedRatio,
            ["staleness"] = Staleness,
            ["staleness_max"] = StalenessMax,
            ["num_tokens"] = NumTokens,
            ["num_tokens/total"] = NumTokensTotal,
            ["micro_batches"] = MicroBatches,
            ["step_seconds"] = StepSeconds,
            ["tokens_per_second"] = TokensPerSecond,
        };
        if (KlReference is { } kl)
            metrics["kl_reference"] = kl;
        return metrics;
    }
}
