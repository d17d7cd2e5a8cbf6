namespace R1Actors.Telemetry;

/// <summary>
/// The kinds of structured event a run writes, carried as the <c>EventKind</c> property. Seq queries,
/// dashboards (docs/seq.md) and <c>r1actors report</c> select on these values, so they never change.
/// </summary>
public static class EventKinds
{
    public const string Property = "EventKind";
    public const string RunStarted = "RunStarted";
    public const string RunResumed = "RunResumed";
    public const string Step = "Step";
    public const string Rollout = "Rollout";
    public const string Checkpoint = "Checkpoint";
    public const string VerifierFault = "VerifierFault";
    public const string Evaluation = "Evaluation";
    public const string RunStopped = "RunStopped";
}

/// <summary>
/// Property names of the per-step event. Learner metrics keep the names people know from TRL
/// (<c>reward_std</c>, <c>frac_reward_zero_std</c>, <c>completions/clipped_ratio</c>), turned into
/// PascalCase properties by one rule (<see cref="FromTrlName"/>): RewardStd, FracRewardZeroStd,
/// CompletionsClippedRatio.
/// </summary>
public static class MetricNames
{
    public const string Step = "Step";
    public const string PolicyVersion = "PolicyVersion";
    public const string Loss = "Loss";
    public const string RewardMean = "RewardMean";
    public const string RewardStd = "RewardStd";
    public const string Accuracy = "Accuracy";
    public const string HeldOutAccuracy = "HeldOutAccuracy";
    public const string Kl = "Kl";
    public const string KlReference = "KlReference";
    public const string Entropy = "Entropy";
    public const string CompletionLengthMean = "CompletionLengthMean";
    public const string CompletionLengthMax = "CompletionLengthMax";
    public const string TokensPerSecond = "TokensPerSecond";
    public const string Staleness = "Staleness";
    public const string StalenessMax = "StalenessMax";
    public const string QueueDepth = "QueueDepth";
    public const string StepSeconds = "StepSeconds";
    public const string ResidentMemoryBytes = "ResidentMemoryBytes";
    public const string ManagedCommittedBytes = "ManagedCommittedBytes";

    /// <summary><c>completions/clipped_ratio</c> → <c>CompletionsClippedRatio</c>; <c>kl</c> → <c>Kl</c>.</summary>
    public static string FromTrlName(string name)
    {
        var parts = name.Split(['/', '_', '-', '.', ' '], StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(parts.Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
