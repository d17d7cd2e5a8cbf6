using R1Actors.Training.Advantages;
using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Objectives;
using R1Actors.Training.Optimization;

namespace R1Actors.Training.Configuration;

/// <summary>
/// The one place where configuration names become strategy objects. The binder validates a name against
/// the keys of these tables, so a name that is accepted always has a strategy.
/// </summary>
public static class TrainingStrategies
{
    public static readonly IReadOnlyDictionary<string, Func<AlgorithmSettings, IAdvantageEstimator>> Advantages =
        new Dictionary<string, Func<AlgorithmSettings, IAdvantageEstimator>>(StringComparer.Ordinal)
        {
            ["grpo"] = a => new GrpoAdvantages(a.AdvantageEpsilon),
            ["dr-grpo"] = _ => new DrGrpoAdvantages(),
            ["rloo"] = _ => new RlooAdvantages(),
        };

    /// <summary><c>r1.training.objective</c>: RL from reward, or cross-entropy on verified-correct samples (rft) or on a trace file (sft).</summary>
    public static readonly IReadOnlyDictionary<string, Func<LearnerSettings, ITrainingObjective>> Objectives =
        new Dictionary<string, Func<LearnerSettings, ITrainingObjective>>(StringComparer.Ordinal)
        {
            ["grpo"] = l => new GrpoObjective(l.Advantages, new PolicyLoss(l.Loss)),
            ["rft"] = l => new VerifiedCrossEntropy("rft", l.Loss),
            ["sft"] = l => new VerifiedCrossEntropy("sft", l.Loss),
        };

    public static readonly IReadOnlyDictionary<string, Func<AlgorithmSettings, ILossAggregation>> Aggregations =
        new Dictionary<string, Func<AlgorithmSettings, ILossAggregation>>(StringComparer.Ordinal)
        {
            ["sequence-mean"] = _ => new SequenceMeanAggregation(),
            ["token-mean"] = _ => new TokenMeanAggregation(),
            ["constant"] = a => new ConstantNormaliserAggregation(a.ConstantNormaliser),
        };

    public static readonly IReadOnlyDictionary<string, Func<AlgorithmSettings, ITruncationPolicy>> Truncations =
        new Dictionary<string, Func<AlgorithmSettings, ITruncationPolicy>>(StringComparer.Ordinal)
        {
            ["keep"] = _ => new KeepTruncated(),
            ["mask"] = _ => new MaskTruncated(),
            ["penalise"] = a => new PenaliseTruncated(a.TruncatedPenalty),
        };

    public static readonly IReadOnlyDictionary<string, Func<double, ScheduleSettings, ILearningRateSchedule>> Schedules =
        new Dictionary<string, Func<double, ScheduleSettings, ILearningRateSchedule>>(StringComparer.Ordinal)
        {
            ["constant"] = (lr, s) => new ConstantSchedule(lr, s.WarmupSteps),
            ["cosine"] = (lr, s) => new CosineSchedule(lr, s.WarmupSteps, s.TotalSteps - s.WarmupSteps, s.MinLrRatio),
        };

    public static IAdvantageEstimator Advantage(AlgorithmSettings a) => Pick(Advantages, a.Advantage, "r1.training.algorithm.advantage")(a);

    public static ITrainingObjective Objective(LearnerSettings l) => Pick(Objectives, l.Objective, "r1.training.objective")(l);

    public static ILossAggregation Aggregation(AlgorithmSettings a) => Pick(Aggregations, a.Aggregation, "r1.training.algorithm.aggregation")(a);

    public static ITruncationPolicy Truncation(AlgorithmSettings a) => Pick(Truncations, a.Truncated, "r1.training.algorithm.truncated")(a);

    /// <summary>Which groups fill a step: all of them, or with dynamic sampling on, those that carry a signal.</summary>
    public static IGroupFilter GroupFilter(AlgorithmSettings a) =>
        a.DynamicSampling ? new ZeroSignalFilter(a.MaxDiscardedGroups, Truncation(a)) : KeepEveryGroup.Instance;

    public static ILearningRateSchedule Schedule(double lr, ScheduleSettings s) => Pick(Schedules, s.Kind, "r1.training.schedule.kind")(lr, s);

    private static T Pick<T>(IReadOnlyDictionary<string, T> table, string name, string key) =>
        table.TryGetValue(name, out var factory)
            ? factory
            : throw new ArgumentException($"{key} = \"{name}\" is not known; expected one of {string.Join(", ", table.Keys.Select(k => $"\"{k}\""))}");
}
