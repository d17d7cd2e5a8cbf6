using System.Reflection;

namespace R1Actors.Core.Tests;

public class StepMetricsTests
{
    private static StepMetrics Metrics(double? klReference = null) => new()
    {
        Step = 3, PolicyVersion = 2, Applied = true, Loss = 0.5, GradNorm = 1.5, LearningRate = 1e-6, Kl = 0.01, KlReference = klReference,
        Entropy = 0.7, ImportanceRatioMean = 1, ClipRatioLowMean = 0.1, ClipRatioHighMean = 0.2, RewardMean = 0.4, RewardStd = 0.3,
        Accuracy = 0.25, FracRewardZeroStd = 0.5, AdvantagesAbsMean = 0.6, CompletionLengthMean = 12, CompletionLengthMax = 20,
        CompletionLengthMin = 4, CompletionsClippedRatio = 0.125, Groups = 2, Completions = 8, Staleness = 0.5, StalenessMax = 1,
        NumTokens = 96, NumTokensTotal = 300, MicroBatches = 2, StepSeconds = 2,
    };

    [Fact]
    public void Every_figure_is_named_by_a_metric_names_constant()
    {
        var names = typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();

        var figures = Metrics(klReference: 0.02).Figures();

        Assert.All(figures.Keys, name => Assert.Contains(name, names));
        Assert.Equal(names.Count, typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static).Count(f => f.IsLiteral));   // no two constants share a value
    }

    [Fact]
    public void Figures_carry_the_values_under_their_names_and_the_learners_rate_apart_from_the_pipelines()
    {
        var figures = Metrics().Figures();

        Assert.Equal(0.3, figures[MetricNames.RewardStd]);
        Assert.Equal(0.125, figures[MetricNames.CompletionsClippedRatio]);
        Assert.Equal(0.3, figures[MetricNames.ClipRatioRegionMean], 12);
        Assert.Equal(48, figures[MetricNames.LearnerTokensPerSecond]);                 // 96 tokens in 2 s
        Assert.False(figures.ContainsKey(MetricNames.TokensPerSecond));              // the pipeline's own figure
        Assert.False(figures.ContainsKey(MetricNames.KlReference));                  // no reference in use
        Assert.Equal(0.02, Metrics(klReference: 0.02).Figures()[MetricNames.KlReference]);
    }
}
