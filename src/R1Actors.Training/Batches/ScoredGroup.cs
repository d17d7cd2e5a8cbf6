using R1Actors.Policy.Sampling;

namespace R1Actors.Training.Batches;

/// <summary>
/// One sampled and scored completion, as the learner receives it. Token ids only — no tensors cross actors.
/// <see cref="BehaviourLogProbs"/> holds log π_behaviour(token) for every completion token, as the sampler
/// computed it with weights <see cref="PolicyVersion"/>; it has exactly one entry per completion id.
/// </summary>
/// <param name="CompletionIds">The generated token ids, end-of-sequence token included when one was sampled.</param>
/// <param name="BehaviourLogProbs">log-probability of each completion token under the sampling policy.</param>
/// <param name="Reward">The verifier's total score.</param>
/// <param name="Finish">Why generation stopped; <see cref="FinishReason.Length"/> marks a truncated completion.</param>
/// <param name="PolicyVersion">The weights version the sampler used.</param>
/// <param name="Correct">Whether the answer was right (for the <c>accuracy</c> metric), independent of format bonuses.</param>
public sealed record ScoredCompletion(
    IReadOnlyList<int> CompletionIds,
    IReadOnlyList<float> BehaviourLogProbs,
    double Reward,
    FinishReason Finish,
    long PolicyVersion,
    bool Correct)
{
    /// <summary>True when the completion was cut off at the token limit.</summary>
    public bool Truncated => Finish == FinishReason.Length;
}

/// <summary>The G completions sampled for one prompt: the unit group-relative advantages are computed over.</summary>
public sealed record ScoredGroup(IReadOnlyList<int> PromptIds, IReadOnlyList<ScoredCompletion> Completions);

/// <summary>
/// What one learner step trains on. <paramref name="DiscardedZeroSignalGroups"/> counts groups the pipeline
/// sampled for this step but dropped because all their rewards were equal (dynamic sampling); it only feeds
/// the <c>frac_reward_zero_std</c> metric.
/// </summary>
public sealed record TrainingBatch(IReadOnlyList<ScoredGroup> Groups, int DiscardedZeroSignalGroups = 0);
