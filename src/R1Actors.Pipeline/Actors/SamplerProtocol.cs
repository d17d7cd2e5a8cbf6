using Akka.Actor;

namespace R1Actors.Pipeline.Actors;

/// <summary>Sample G completions for each of these prompts; answered with <see cref="RolloutsGenerated"/>.</summary>
public sealed record GenerateRollouts(IReadOnlyList<IssuedPrompt> Prompts);

/// <summary>A batch's rollouts, grouped by prompt in request order, all sampled with weights <see cref="PolicyVersion"/>.</summary>
public sealed record RolloutsGenerated(string Device, long PolicyVersion, IReadOnlyList<Rollout> Rollouts);

/// <summary>The learner finished publishing this weights version; samplers apply it before their next batch.</summary>
public sealed record WeightsPublished(long Version);

/// <summary>
/// A sampler port threw on a batch. Carries the request and whom to answer, so the restarted sampler samples
/// the same prompts again and the waiting stage gets its answer: no prompt lost, none sampled twice into training.
/// </summary>
public sealed class SamplerFaultException(string device, GenerateRollouts request, IActorRef replyTo, Exception inner)
    : Exception($"sampler {device} failed on a batch of {request.Prompts.Count} prompts: {inner.Message}", inner)
{
    public string Device { get; } = device;

    public GenerateRollouts Request { get; } = request;

    public IActorRef ReplyTo { get; } = replyTo;
}
