namespace R1Actors.Core;

// A rollout's life, in the types it passes through: IssuedPrompt → Rollout (sampler) → ScoredRollout
// (verifier) → ScoredGroup (group assembly) → LearnerBatch (the staleness gate) → the learner's step.
// Token ids, log-probs, rewards and versions only: no tensors cross stages.

/// <summary>Why a completion ended.</summary>
public enum FinishReason
{
    /// <summary>The model wrote a stop token or a stop string.</summary>
    Stop,

    /// <summary>The completion hit the token limit; its answer is likely cut off.</summary>
    Length,

    /// <summary>
    /// Nothing was sampled: the prompt leaves no room for one new token in the sampler's KV cache (or cannot be
    /// read at all). The completion is empty, scores 0 and is never trained on; its group still completes.
    /// </summary>
    Refused,
}

/// <summary>
/// One sampled completion: token ids of the prompt (after the chat template) and of the completion (the stop
/// token included when one was sampled), its text, log π_behaviour(token) for every completion token under the
/// weights that sampled it (exactly one per completion id), that weights version, and the device.
/// </summary>
public sealed record Rollout(
    IssuedPrompt Prompt,
    int SampleIndex,
    IReadOnlyList<int> PromptTokenIds,
    IReadOnlyList<int> CompletionTokenIds,
    string CompletionText,
    IReadOnlyList<float> BehaviourLogProbs,
    long PolicyVersion,
    FinishReason FinishReason,
    string Device)
{
    /// <summary>True when the completion was cut off at the token limit.</summary>
    public bool Truncated => FinishReason == FinishReason.Length;

    /// <summary>True when the sampler refused the prompt and sampled nothing (<see cref="FinishReason.Refused"/>).</summary>
    public bool Refused => FinishReason == FinishReason.Refused;

    /// <summary>
    /// Per completion token, the weights version that drew it, when a sampler switched weights with the row in
    /// flight (continuous batching, between-steps); null means every token is <see cref="PolicyVersion"/>'s, which is
    /// then the oldest. Not carried by the wire format yet.
    /// </summary>
    public IReadOnlyList<long>? TokenVersions { get; init; }

    /// <summary>Each completion token's version: <see cref="TokenVersions"/>, or <see cref="PolicyVersion"/> for all.</summary>
    public IEnumerable<long> VersionPerToken => TokenVersions ?? Enumerable.Repeat(PolicyVersion, CompletionTokenIds.Count);
}

/// <summary>The names of the reward components every task kind reports.</summary>
public static class RewardComponents
{
    /// <summary>Whether the answer is right, 0..1 (code: the fraction of tests passed).</summary>
    public const string Answer = "answer";

    /// <summary>Whether the completion keeps to the <c>&lt;think&gt;…&lt;answer&gt;</c> format, 0..1.</summary>
    public const string Format = "format";
}

/// <summary>
/// The verdict on one completion: the total score, its named components (for example
/// <see cref="RewardComponents.Format"/> and <see cref="RewardComponents.Answer"/>, each 0..1 before weighting)
/// and, for anything short of full marks, the reason.
/// </summary>
public sealed record RewardOutcome(double Score, IReadOnlyDictionary<string, double> Components, string? Reason)
{
    /// <summary>The answer has full marks (the <c>Accuracy</c> metric), whatever the format bonus.</summary>
    public bool Correct => Components.TryGetValue(RewardComponents.Answer, out var answer) && answer >= 1.0;
}

/// <summary>A completion with its verdict and how long the verifier took.</summary>
public sealed record ScoredRollout(Rollout Rollout, RewardOutcome Reward, TimeSpan VerifyLatency);

/// <summary>All G scored completions of one prompt, in sample order: what GRPO normalises within.</summary>
public sealed record ScoredGroup(IssuedPrompt Prompt, IReadOnlyList<ScoredRollout> Completions)
{
    /// <summary>The prompt's token ids after the chat template (every completion of the group shares them).</summary>
    public IReadOnlyList<int> PromptTokenIds => Completions.Count > 0 ? Completions[0].Rollout.PromptTokenIds : [];

    /// <summary>The oldest weights version among the completions; staleness is measured from it.</summary>
    public long OldestPolicyVersion => Completions.Min(c => c.Rollout.PolicyVersion);
}

/// <summary>
/// The groups for one optimizer step, in prompt order. <see cref="PolicyVersion"/> is the version being
/// updated; every group satisfies <c>PolicyVersion - group.OldestPolicyVersion &lt;= max-staleness</c>.
/// <see cref="DiscardedGroups"/> counts the groups the <see cref="IGroupFilter"/> left out while this batch
/// filled (they feed the <c>FracRewardZeroStd</c> metric).
/// </summary>
public sealed record LearnerBatch(long Step, long PolicyVersion, IReadOnlyList<ScoredGroup> Groups, int DiscardedGroups = 0);

/// <summary>
/// Which fresh enough groups fill learner batches, asked once per group on the learner's thread. The default
/// keeps them all; DAPO's dynamic sampling leaves out groups whose rewards are all equal (no signal), up to a
/// limit per step. A group left out counts as consumed (it is not sampled again) and frees its slot, so
/// another prompt is sampled in its place. The filter holds no count of its own: the pipeline keeps the one
/// count of groups left out in the step (saved with its progress) and passes it in.
/// </summary>
public interface IGroupFilter
{
    /// <summary>
    /// Whether this filter may leave groups out at all. Where it may, in-flight slots come back one group at a
    /// time at moments no run can repeat, and deterministic batching has to allow for that.
    /// </summary>
    bool MayLeaveOut { get; }

    /// <summary>Keep <paramref name="group"/> in the step, of which <paramref name="leftOutInStep"/> groups were already left out?</summary>
    bool Keep(ScoredGroup group, int leftOutInStep);
}

/// <summary>Keeps every group.</summary>
public sealed class KeepEveryGroup : IGroupFilter
{
    public static readonly KeepEveryGroup Instance = new();

    public bool MayLeaveOut => false;

    public bool Keep(ScoredGroup group, int leftOutInStep) => true;
}
