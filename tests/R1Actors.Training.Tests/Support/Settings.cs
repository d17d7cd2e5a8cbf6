using R1Actors.Training.Advantages;
using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Optimization;

namespace R1Actors.Training.Tests.Support;

internal static class Settings
{
    /// <summary>GRPO, keep truncated, token-mean, no KL, constant lr without warm-up, no clipping of the gradient.</summary>
    public static LearnerSettings Learner(
        double learningRate = 1e-2,
        IAdvantageEstimator? advantages = null,
        ITruncationPolicy? truncation = null,
        ILossAggregation? aggregation = null,
        PolicyLossSettings? loss = null,
        AdamWSettings? optimizer = null,
        int microBatchSize = 64) =>
        new(
            advantages ?? new GrpoAdvantages(),
            truncation ?? new KeepTruncated(),
            aggregation ?? new TokenMeanAggregation(),
            loss ?? new PolicyLossSettings(),
            optimizer ?? new AdamWSettings(MaxGradNorm: 0),
            new ConstantSchedule(learningRate, 0),
            new MicroBatchSettings(microBatchSize));
}
