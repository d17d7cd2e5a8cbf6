using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Metrics;

namespace R1Actors.Pipeline.Graph;

/// <summary>Why a run ended without an error.</summary>
public enum StopReason
{
    /// <summary>r1.pipeline.max-steps steps were taken.</summary>
    MaxSteps,

    /// <summary>The prompt stream ended (r1.data.max-epochs).</summary>
    PromptsExhausted,

    /// <summary>The run was cancelled (the daemon is shutting down).</summary>
    Stopped,
}

/// <summary>How a run ended and where a new run would resume.</summary>
public sealed record PipelineOutcome(StopReason Reason, PipelineProgress Progress, long RolloutsTrained, long DroppedRolloutsTotal);

/// <summary>
/// One learner step as the daemon sees it: the learner's own outcome, the pipeline's figures, the groups it
/// trained on, and the prompts whose groups were dropped as stale since the previous step.
/// </summary>
public sealed record StepReport(StepOutcome Outcome, PipelineMetrics Pipeline, IReadOnlyList<ScoredGroup> Groups, IReadOnlyList<IssuedPrompt> Dropped);

/// <summary>The run cannot go on: a stage gave up after repeated faults, or a sampler stopped answering.</summary>
public sealed class PipelineFailedException(string message, Exception? inner = null) : Exception(message, inner);
