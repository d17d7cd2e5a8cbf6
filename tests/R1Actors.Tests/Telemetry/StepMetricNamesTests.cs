using R1Actors.Telemetry;
using R1Actors.Training.Learning;

namespace R1Actors.Tests.Telemetry;

public class StepMetricNamesTests
{
    [Fact]
    public void Every_learner_metric_name_turns_into_the_step_metrics_property_that_holds_it()
    {
        var properties = typeof(StepMetrics).GetProperties().Select(p => p.Name).ToHashSet();
        var metrics = new StepMetrics
        {
            Step = 1, PolicyVersion = 1, Applied = true, Loss = 0, GradNorm = 0, LearningRate = 0, Kl = 0, KlReference = 0, Entropy = 0,
            ImportanceRatioMean = 1, ClipRatioLowMean = 0, ClipRatioHighMean = 0, RewardMean = 0, RewardStd = 0, Accuracy = 0,
            FracRewardZeroStd = 0, AdvantagesAbsMean = 0, CompletionLengthMean = 0, CompletionLengthMax = 0, CompletionLengthMin = 0,
            CompletionsClippedRatio = 0, Groups = 1, Completions = 1, Staleness = 0, StalenessMax = 0, NumTokens = 0, NumTokensTotal = 0,
            MicroBatches = 1, StepSeconds = 1,
        };
        var names = metrics.ToDictionary().Keys.ToArray();
        Assert.All(names, name => Assert.Contains(MetricNames.FromTrlName(name), properties));
        foreach (var name in new[] { MetricNames.RewardMean, MetricNames.RewardStd, MetricNames.Kl, MetricNames.KlReference, MetricNames.Entropy,
                     MetricNames.CompletionLengthMean, MetricNames.CompletionLengthMax, MetricNames.TokensPerSecond, MetricNames.Staleness,
                     MetricNames.StalenessMax, MetricNames.StepSeconds, MetricNames.Accuracy, MetricNames.Loss, MetricNames.PolicyVersion })
            Assert.Contains(name, names.Select(MetricNames.FromTrlName));
    }
}
