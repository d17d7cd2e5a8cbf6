namespace R1Actors.Pipeline.Settings;

/// <summary>When a continuously batching sampler applies a newly published weights version.</summary>
public enum WeightSwitch
{
    /// <summary>Only with no row in flight: new rows wait until the rows in flight finish, so every completion has one version.</summary>
    BetweenBatches,

    /// <summary>Between two decode steps, rows in flight kept: a completion's tokens may come from several versions, each token records its own.</summary>
    BetweenSteps,
}

/// <summary>When crashed actors are restarted and when the run gives up (<c>r1.pipeline.supervision</c>).</summary>
public sealed record SupervisionSettings(
    int SamplerMaxRestarts,
    TimeSpan SamplerRestartWindow,
    int LearnerMaxFaults,
    TimeSpan LearnerFaultWindow);

/// <summary>
/// The shape and limits of the actor pipeline (<c>r1.pipeline</c> in reference.conf; <see cref="Seed"/> is
/// <c>r1.run.seed</c>). Bound and validated by the executable's settings binder.
/// </summary>
public sealed record PipelineSettings(
    IReadOnlyList<string> Devices,
    int GroupSize,
    int GroupsPerStep,
    int PromptsPerBatch,
    TimeSpan BatchLinger,
    int SamplerQueue,
    int MaxStaleness,
    int Verifiers,
    int RolloutBuffer,
    int GroupBuffer,
    long MaxSteps,
    int CheckpointEvery,
    bool CheckpointOnStop,
    TimeSpan SampleTimeout,
    TimeSpan VerifyTimeout,
    ulong Seed,
    SupervisionSettings Supervision)
{
    /// <summary>
    /// <c>r1.run.deterministic</c>: the same config, data and seed give bit-identical weights, whatever the timing
    /// (one device and max-staleness 0 required). Sampler batches are then cut by admission, never by
    /// <see cref="BatchLinger"/>'s clock, and completions pass the verifier pool in the order they were sampled,
    /// so every group reaches the learner in admission order.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>
    /// Continuous batching (<c>r1.sampling.batching = continuous</c>): the most prompts a sampler holds at once, one per
    /// slot (a long-tailed group can be down to one row in flight) and sampler-queue more; the sampler itself starts a
    /// prompt only when it has free slots, and the in-flight budget bounds them all. 0: static batches of
    /// <see cref="PromptsPerBatch"/>.
    /// </summary>
    public int ContinuousPrompts { get; init; }

    /// <summary>Samplers batch continuously: configured, and not in deterministic mode, which keeps static batches.</summary>
    public bool BatchesContinuously => ContinuousPrompts > 0 && !Deterministic;

    /// <summary>Requests one device's sampler takes at once: the prompts a continuous sampler holds, or a static sampler's batch and its queue.</summary>
    public int SamplerCapacity => BatchesContinuously ? ContinuousPrompts : 1 + SamplerQueue;

    /// <summary><c>r1.cluster</c>: this process is a cluster node (the learner node for a run); null: one process, no cluster.</summary>
    public Cluster.ClusterSettings? Cluster { get; init; }

    /// <summary><c>r1.pipeline.weight-switch</c>: when a sampler that batches continuously may take a new weights version.</summary>
    public WeightSwitch WeightSwitch { get; init; } = WeightSwitch.BetweenBatches;

    /// <summary>
    /// Prompts allowed between admission and the end of the learner step that uses them: (k + 1) · B. With
    /// prompts consumed in order this is exactly what keeps every rollout within k versions of the learner.
    /// </summary>
    public int InFlightPrompts => (MaxStaleness + 1) * GroupsPerStep;

    /// <summary>Rollouts buffered between samplers and verifiers (0 in config: all the in-flight prompts' rollouts).</summary>
    public int EffectiveRolloutBuffer => RolloutBuffer > 0 ? RolloutBuffer : InFlightPrompts * GroupSize;

    /// <summary>Complete groups buffered in front of the learner (0 in config: the in-flight prompts).</summary>
    public int EffectiveGroupBuffer => GroupBuffer > 0 ? GroupBuffer : InFlightPrompts;
}
