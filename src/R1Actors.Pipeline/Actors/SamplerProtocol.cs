using Akka.Actor;

namespace R1Actors.Pipeline.Actors;

/// <summary>Sample G completions for each of these prompts; answered with <see cref="RolloutsGenerated"/>.</summary>
public sealed record GenerateRollouts(IReadOnlyList<IssuedPrompt> Prompts);

/// <summary>
/// A batch's rollouts, grouped by prompt in request order, sampled with weights <see cref="PolicyVersion"/>; with
/// between-steps weight switching some tokens may be newer, and <see cref="PolicyVersion"/> is the oldest.
/// </summary>
public sealed record RolloutsGenerated(string Device, long PolicyVersion, IReadOnlyList<Rollout> Rollouts);

/// <summary>The learner finished publishing this weights version; samplers apply it before their next batch.</summary>
public sealed record WeightsPublished(long Version);

/// <summary>
/// A sampler port threw. Carries the requests not yet answered and whom to answer, so the restarted sampler
/// samples the same prompts again and the waiting stages get their answers: no prompt lost, none sampled twice
/// into training. A static sampler holds one request; a continuously batching one, all those in flight.
/// </summary>
public sealed class SamplerFaultException(string device, IReadOnlyList<(GenerateRollouts Request, IActorRef ReplyTo)> unanswered, Exception inner)
    : Exception($"sampler {device} failed with {unanswered.Sum(u => u.Request.Prompts.Count)} prompts in hand: {inner.Message}", inner)
{
    public string Device { get; } = device;

    public IReadOnlyList<(GenerateRollouts Request, IActorRef ReplyTo)> Unanswered { get; } = unanswered;

    /// <summary>Logs the fault and sends every unanswered request back to <paramref name="self"/>, on behalf of its original sender.</summary>
    public void Resend(IActorRef self, Serilog.ILogger log)
    {
        log.Error(this, "Sampler {Device} failed with {PromptCount} prompts in hand; restarting it with the newest weights and sampling the batch again (every prompt it held)",
            Device, Unanswered.Sum(u => u.Request.Prompts.Count));
        foreach (var (request, replyTo) in Unanswered)
            self.Tell(request, replyTo);
    }
}
