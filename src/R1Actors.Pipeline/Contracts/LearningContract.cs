namespace R1Actors.Pipeline.Contracts;

// The learning protocol between the pipeline and the learner. The executable adapts R1Actors.Training (GRPO
// loss, optimizer, checkpoint files) to ILearnerPort. Every call comes from the learner actor's own dedicated
// thread, one at a time; nothing is async, so dispose scopes stay on one thread.

/// <summary>
/// What a step produced: the new weights version (already readable from the weight store), or the same version
/// with <see cref="SkipReason"/> when the learner took the step without updating (no group carried a reward
/// signal, a non-finite loss); and its figures under their <see cref="MetricNames"/> (a real learner's are <see cref="StepMetrics.Figures"/>).
/// Staleness is counted in versions, so a skipped step does not age the rollouts in flight.
/// </summary>
public sealed record StepOutcome(long PolicyVersion, IReadOnlyDictionary<string, double> Metrics, string? SkipReason = null);

/// <summary>
/// The pipeline's part of <c>trainer_state.json</c>: everything needed to resume exactly.
/// <see cref="NextPrompt"/> is the first prompt not yet trained on (or dropped as stale); prompts after it that
/// were already consumed are listed in <see cref="ConsumedAhead"/> so they are not trained on twice. The
/// pipeline's randomness is derived, never drawn from a running generator: shuffles from
/// (<see cref="DataSeed"/>, epoch), samples from (<see cref="RunSeed"/>, policy version, prompt, sample), so the
/// two seeds are its whole RNG state. <see cref="DiscardedInStep"/> is how many groups the group filter had left
/// out of the step in progress (a checkpoint written when a run stops mid-step), so the resumed step keeps
/// to the same per-step limit.
/// </summary>
public sealed record PipelineProgress(
    long Step,
    long PolicyVersion,
    PromptCursor NextPrompt,
    IReadOnlyList<PromptCursor> ConsumedAhead,
    long DatasetCount,
    ulong DataSeed,
    ulong RunSeed,
    int DiscardedInStep = 0);

/// <summary>
/// The trainable policy with its optimizer. <see cref="Step"/> is atomic: it either applies the update,
/// publishes the new weights to the store the samplers read, and returns, or it throws and leaves weights and
/// optimizer as they were, so the pipeline can retry the same batch.
/// </summary>
public interface ILearnerPort
{
    /// <summary>The version of the trainable weights now (the checkpoint's version after a resume).</summary>
    long PolicyVersion { get; }

    /// <summary>Takes one optimizer step on the batch and publishes the result as a new version (or skips the update).</summary>
    StepOutcome Step(LearnerBatch batch);

    /// <summary>Writes <c>checkpoint-STEP/</c> (model, optimizer, <paramref name="progress"/>) completely or not at all.</summary>
    void Checkpoint(PipelineProgress progress);
}
