using R1Actors.Rewards;

namespace R1Actors.Pipeline.Contracts;

// The verification protocol is R1Actors.Rewards' IRewardFunction: the pipeline hands each completion and its
// prompt's TaskSpec to one function (which dispatches on TaskSpec.Kind) as soon as the completion is sampled.
// A function that throws, or that does not answer within the verify timeout, scores 0 with the reason
// recorded; the stream never fails because of a verifier.

/// <summary>A completion with its verdict and how long the verifier took.</summary>
public sealed record ScoredRollout(Rollout Rollout, RewardOutcome Reward, TimeSpan VerifyLatency);

/// <summary>All G scored completions of one prompt, in sample order: what GRPO normalises within.</summary>
public sealed record ScoredGroup(IssuedPrompt Prompt, IReadOnlyList<ScoredRollout> Completions)
{
    /// <summary>The oldest weights version among the completions; staleness is measured from it.</summary>
    public long OldestPolicyVersion => Completions.Min(c => c.Rollout.PolicyVersion);
}
