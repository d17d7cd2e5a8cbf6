using R1Actors.Pipeline.Contracts;

namespace R1Actors.Pipeline.Actors;

/// <summary>Score this completion against its prompt's task; answered with a <see cref="ScoredRollout"/>, always.</summary>
public sealed record VerifyCompletion(Rollout Rollout);

/// <summary>A reward function threw: the completion was already answered with 0; this restarts the verifier.</summary>
public sealed class VerifierFaultException(string message, Exception inner) : Exception(message, inner);
