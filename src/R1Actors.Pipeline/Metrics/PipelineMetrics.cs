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
/// <param name="Staleness">Staleness (learner version − rollout version) → rollouts trained on in this step.</param>
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
    IReadOnlyDictionary<string, long> Staleness,
    long DroppedRollouts,
    long DroppedRolloutsTotal);
