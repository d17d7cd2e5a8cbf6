namespace R1Actors.Core;

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

    // A cluster run (docs/cluster.md): sampler nodes joining and leaving the learner, and what it costs.
    public const string NodeJoined = "NodeJoined";
    public const string NodeUnreachable = "NodeUnreachable";
    public const string NodeDowned = "NodeDowned";
    public const string PromptsReissued = "PromptsReissued";
    public const string WeightsFetched = "WeightsFetched";
    public const string LearnerLost = "LearnerLost";
}

/// <summary>
/// The property names of the per-step event, each defined here once: the learner's figures
/// (<see cref="StepMetrics.Figures"/>), the pipeline's, memory, and evaluation. Users query these in Seq
/// (docs/seq.md) and <c>report</c> draws them, so a name never changes. Learner figures are PascalCase forms
/// of the names people know from TRL (<c>reward_std</c> → <see cref="RewardStd"/>,
/// <c>completions/clipped_ratio</c> → <see cref="CompletionsClippedRatio"/>); docs/seq.md lists both.
/// </summary>
public static class MetricNames
{
    // The learner's figures.
    public const string Step = "Step";
    public const string PolicyVersion = "PolicyVersion";
    public const string Loss = "Loss";
    public const string GradNorm = "GradNorm";
    public const string LearningRate = "LearningRate";
    public const string Kl = "Kl";
    public const string KlReference = "KlReference";
    public const string Entropy = "Entropy";
    public const string ImportanceRatioMean = "ImportanceRatioMean";
    public const string ClipRatioLowMean = "ClipRatioLowMean";
    public const string ClipRatioHighMean = "ClipRatioHighMean";
    public const string ClipRatioRegionMean = "ClipRatioRegionMean";
    public const string RewardMean = "RewardMean";
    public const string RewardStd = "RewardStd";
    public const string Accuracy = "Accuracy";
    public const string FracRewardZeroStd = "FracRewardZeroStd";
    public const string AdvantagesAbsMean = "AdvantagesAbsMean";
    public const string CompletionLengthMean = "CompletionLengthMean";
    public const string CompletionLengthMax = "CompletionLengthMax";
    public const string CompletionLengthMin = "CompletionLengthMin";
    public const string CompletionsClippedRatio = "CompletionsClippedRatio";
    public const string Staleness = "Staleness";
    public const string StalenessMax = "StalenessMax";
    public const string NumTokens = "NumTokens";
    public const string NumTokensTotal = "NumTokensTotal";
    public const string MicroBatches = "MicroBatches";
    public const string StepSeconds = "StepSeconds";

    /// <summary>Bytes of weights the step's new version handed to the samplers (with LoRA, the adapter alone).</summary>
    public const string PublishedBytes = "PublishedBytes";

    /// <summary>Share of the positions the learner's passes fed that were padding; 0 with packed sequences.</summary>
    public const string PaddingFraction = "PaddingFraction";

    /// <summary>Completion tokens per second of the learner's own compute time (TRL's <c>tokens_per_second</c>).</summary>
    public const string LearnerTokensPerSecond = "LearnerTokensPerSecond";

    /// <summary>Prompts of the step the samplers refused (no room in the KV cache for one new token): empty groups, not trained on.</summary>
    public const string RefusedPrompts = "RefusedPrompts";

    /// <summary>Present when the learner took the step without updating (non-finite loss, no signal).</summary>
    public const string SkipReason = "SkipReason";

    // The pipeline's figures.

    /// <summary>Completion tokens per second of wall time between steps: the whole pipeline's rate.</summary>
    public const string TokensPerSecond = "TokensPerSecond";
    public const string QueueDepth = "QueueDepth";
    public const string Queues = "Queues";
    public const string SamplerBusy = "SamplerBusy";
    public const string SamplerBusyMin = "SamplerBusyMin";
    public const string InFlightPrompts = "InFlightPrompts";
    public const string VerifierLatencyP50Ms = "VerifierLatencyP50Ms";
    public const string VerifierLatencyP90Ms = "VerifierLatencyP90Ms";
    public const string VerifierLatencyP99Ms = "VerifierLatencyP99Ms";
    public const string VerifierFaults = "VerifierFaults";
    public const string StalenessHistogram = "StalenessHistogram";
    public const string TokenStalenessMax = "TokenStalenessMax";
    public const string TokenStalenessMean = "TokenStalenessMean";
    public const string DroppedRollouts = "DroppedRollouts";
    public const string DroppedRolloutsTotal = "DroppedRolloutsTotal";
    public const string DiscardedGroups = "DiscardedGroups";

    /// <summary>The ordinals of the prompts whose groups this step trained on, and of those dropped as stale: an audit of every prompt's fate.</summary>
    public const string TrainedPrompts = "TrainedPrompts";

    /// <summary>A cluster run: per sampler node, its rollouts since the previous step, the requests it holds and its weights version.</summary>
    public const string SamplerNodes = "SamplerNodes";
    public const string DroppedPrompts = "DroppedPrompts";
    public const string RolloutsPerSecond = "RolloutsPerSecond";
    public const string PipelineStepSeconds = "PipelineStepSeconds";

    /// <summary>Mean of each reward component over the step's completions (answer, format, a custom reward's own figures).</summary>
    public const string RewardComponentMeans = "RewardComponentMeans";

    /// <summary>Sandbox faults since the run started (the sandbox itself failed or refused: each scored 0, never the program's fault).</summary>
    public const string SandboxFaults = "SandboxFaults";

    /// <summary>Calls of the user's Python reward that raised, timed out or returned no score, since the run started.</summary>
    public const string CustomRewardFailures = "CustomRewardFailures";

    // Memory, after each step.
    public const string ResidentMemoryBytes = "ResidentMemoryBytes";
    public const string ManagedCommittedBytes = "ManagedCommittedBytes";

    // Held-out evaluation.
    public const string HeldOutAccuracy = "HeldOutAccuracy";
}
