namespace R1Actors.Pipeline.Actors;

// The verification protocol is R1Actors.Rewards' IRewardFunction: the pipeline hands each completion and its
// prompt's TaskSpec to one function (which dispatches on TaskSpec.Kind) as soon as the completion is sampled.
// A function that throws, or that does not answer within the verify timeout, scores 0 with the reason
// recorded; the stream never fails because of a verifier.

/// <summary>Score this completion against its prompt's task; answered with a <see cref="ScoredRollout"/>, always.</summary>
public sealed record VerifyCompletion(Rollout Rollout);

/// <summary>A reward function threw: the completion was already answered with 0; this restarts the verifier.</summary>
public sealed class VerifierFaultException(string message, Exception inner) : Exception(message, inner);
