namespace R1Actors.Core;

/// <summary>
/// Everything the learner measured in one step. <see cref="Figures"/> gives each figure under its one name in
/// <see cref="MetricNames"/>, which is the property of the run's <c>Step</c> event, the name in the checkpoints'
/// metric history and what <c>report</c> draws. Token-level figures are means over the trained completion
/// tokens. <see cref="Kl"/> is the approximate KL between the behaviour (sampling) policy and the current one;
/// <see cref="KlReference"/> the KL to the frozen reference.
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

    /// <summary>Bytes of weights published for the samplers this step (0 when the step was skipped).</summary>
    public long PublishedBytes { get; init; }

    /// <summary>Share of the positions fed through the model this step that were padding (0 with packed sequences).</summary>
    public double PaddingFraction { get; init; }

    /// <summary>Groups of the step whose prompt a sampler refused (no room in its KV cache): counted, never trained on.</summary>
    public int RefusedPrompts { get; init; }

    /// <summary>The figures under their <see cref="MetricNames"/>, for the Step event, the metric history and dashboards.</summary>
    public IReadOnlyDictionary<string, double> Figures()
    {
        var figures = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Step] = Step,
            [MetricNames.PolicyVersion] = PolicyVersion,
            [MetricNames.Loss] = Loss,
            [MetricNames.GradNorm] = GradNorm,
            [MetricNames.LearningRate] = LearningRate,
            [MetricNames.Kl] = Kl,
            [MetricNames.Entropy] = Entropy,
            [MetricNames.ImportanceRatioMean] = ImportanceRatioMean,
            [MetricNames.ClipRatioLowMean] = ClipRatioLowMean,
            [MetricNames.ClipRatioHighMean] = ClipRatioHighMean,
            [MetricNames.ClipRatioRegionMean] = ClipRatioRegionMean,
            [MetricNames.RewardMean] = RewardMean,
            [MetricNames.RewardStd] = RewardStd,
            [MetricNames.Accuracy] = Accuracy,
            [MetricNames.FracRewardZeroStd] = FracRewardZeroStd,
            [MetricNames.AdvantagesAbsMean] = AdvantagesAbsMean,
            [MetricNames.CompletionLengthMean] = CompletionLengthMean,
            [MetricNames.CompletionLengthMax] = CompletionLengthMax,
            [MetricNames.CompletionLengthMin] = CompletionLengthMin,
            [MetricNames.CompletionsClippedRatio] = CompletionsClippedRatio,
            [MetricNames.Staleness] = Staleness,
            [MetricNames.StalenessMax] = StalenessMax,
            [MetricNames.NumTokens] = NumTokens,
            [MetricNames.NumTokensTotal] = NumTokensTotal,
            [MetricNames.MicroBatches] = MicroBatches,
            [MetricNames.StepSeconds] = StepSeconds,
            [MetricNames.LearnerTokensPerSecond] = TokensPerSecond,
            [MetricNames.PublishedBytes] = PublishedBytes,
            [MetricNames.PaddingFraction] = PaddingFraction,
            [MetricNames.RefusedPrompts] = RefusedPrompts,
        };
        if (KlReference is { } kl)
            figures[MetricNames.KlReference] = kl;
        return figures;
    }
}
