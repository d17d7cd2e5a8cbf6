namespace R1Actors.Pipeline.Metrics;

/// <summary>How much work waits between each pair of stages at one moment.</summary>
public sealed record QueueDepths(
    long PromptsAwaitingSampler,
    long PromptsSampling,
    long RolloutsAwaitingVerifier,
    long RolloutsAwaitingGroup,
    long GroupsAwaitingLearner);

/// <summary>
/// The pipeline's own figures for one learner step, logged every step under these names (stable, so Seq
/// queries keep working). Fractions and counts cover the time since the previous step unless named Total.
/// </summary>
/// <param name="SamplerBusy">Device → fraction of the step's wall time it spent sampling.</param>
/// <param name="StalenessHistogram">Staleness (learner version − rollout version) → rollouts trained on in this step.</param>
/// <param name="DiscardedGroups">Groups the group filter left out (dynamic sampling) while this step's batch filled.</param>
public sealed record PipelineMetrics(
    long Step,
    long PolicyVersion,
    double StepSeconds,
    long RolloutsTrained,
    double RolloutsPerSecond,
    IReadOnlyDictionary<string, double> SamplerBusy,
    double SamplerBusyMin,
    QueueDepths Queues,
    long InFlightPrompts,
    double VerifierLatencyP50Ms,
    double VerifierLatencyP90Ms,
    double VerifierLatencyP99Ms,
    long VerifierFaults,
    IReadOnlyDictionary<string, long> StalenessHistogram,
    long DroppedRollouts,
    long DroppedRolloutsTotal,
    int DiscardedGroups)
{
    /// <summary>Largest staleness (learner version − the version that drew it) of any completion token trained on in this step.</summary>
    public long TokenStalenessMax { get; init; }

    /// <summary>Mean staleness over the completion tokens trained on in this step: below the rollouts' when weights switched between steps.</summary>
    public double TokenStalenessMean { get; init; }

    /// <summary>A cluster run: each sampler node's rollouts since the previous step, requests in hand and weights version (empty in one process).</summary>
    public IReadOnlyDictionary<string, Cluster.SamplerNodeFigures> SamplerNodes { get; init; } = new Dictionary<string, Cluster.SamplerNodeFigures>();
}
