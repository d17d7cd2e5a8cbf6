using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;
using R1Actors.Rewards;

namespace R1Actors.Pipeline.Graph;

/// <summary>The actors and shared state the graph connects.</summary>
public sealed record GraphParts(
    IReadOnlyList<IActorRef> Samplers,
    IReadOnlyList<string> Devices,
    IReadOnlyList<IActorRef> Verifiers,
    IActorRef Learner,
    InFlightBudget Budget,
    StageCounters Counters,
    PipelineCompletion Completion);

/// <summary>
/// The stream from prompts to learner. Every stage is bounded and backpressured, end to end:
/// <code>
///  prompts ─► admit ((k+1)·B slots) ─► batch ─► Balance ─► sampler i (SelectAsync(1+queue, Ask)) ─► Merge ─► buffer
///    ─► one rollout at a time ─► Balance ─► verifier j (SelectAsync(1, Ask)) ─► Merge ─► group assembly
///    ─► buffer ─► learner (ack sink)
/// </code>
/// Each completion is verified as soon as its batch leaves the sampler, never after a whole step's worth.
/// </summary>
public static class PipelineGraph
{
    /// <summary>The graph; its materialized task completes when every stage has stopped.</summary>
    public static IRunnableGraph<Task<Done>> Build(PipelineSettings s, IEnumerable<IssuedPrompt> prompts, GraphParts parts) =>
        Source.From(prompts)
            .Via(parts.Completion.KillSwitch.Flow<IssuedPrompt>())
            .SelectAsync(1, async prompt => (Admitted: await Admit(parts).ConfigureAwait(false), Prompt: prompt))
            .TakeWhile(admission => admission.Admitted)      // the run ended while a prompt waited: stop admitting, quietly
            .Select(admission => admission.Prompt)
            .GroupedWithin(s.PromptsPerBatch, s.BatchLinger > TimeSpan.Zero ? s.BatchLinger : TimeSpan.FromTicks(1))
            .Select(batch => (IReadOnlyList<IssuedPrompt>)batch.ToArray())
            .Via(Sampling(s, parts))
            .Buffer(s.EffectiveRolloutBuffer, OverflowStrategy.Backpressure)
            .Via(Verification(s, parts))
            .Via(GroupAssembly.Create(s.GroupSize, parts.Counters.GroupAssembled))
            .Buffer(s.EffectiveGroupBuffer, OverflowStrategy.Backpressure)
            .Via(parts.Completion.KillSwitch.Flow<ScoredGroup>())
            .WatchTermination(Keep.Right)
            .To(Sink.ActorRefWithAck<ScoredGroup>(
                    parts.Learner,
                    LearnerStreamStarted.Instance,
                    GroupAck.Instance,
                    LearnerStreamCompleted.Instance,
                    e => new LearnerStreamFailed(e))
                .WithAttributes(Attributes.CreateInputBuffer(1, 1)));

    /// <summary>A slot of the in-flight budget for the next prompt; false once the run has ended.</summary>
    private static async Task<bool> Admit(GraphParts parts)
    {
        if (!await parts.Budget.TryAcquireAsync(parts.Completion.Ended).ConfigureAwait(false))
            return false;
        parts.Counters.PromptsAdmitted(1);
        return true;
    }

    /// <summary>Batches go to whichever device is free; each keeps at most 1 + sampler-queue batches.</summary>
    private static IGraph<FlowShape<IReadOnlyList<IssuedPrompt>, Rollout>, NotUsed> Sampling(PipelineSettings s, GraphParts parts) =>
        Pool<IReadOnlyList<IssuedPrompt>, RolloutsGenerated>(parts.Samplers.Count, i =>
                Flow.Create<IReadOnlyList<IssuedPrompt>>().SelectAsync(1 + s.SamplerQueue, batch => AskSampler(s, parts, i, batch)))
            .SelectMany(generated => generated.Rollouts);

    private static async Task<RolloutsGenerated> AskSampler(PipelineSettings s, GraphParts parts, int device, IReadOnlyList<IssuedPrompt> batch)
    {
        try
        {
            return await parts.Samplers[device].Ask<RolloutsGenerated>(new GenerateRollouts(batch), s.SampleTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new PipelineFailedException(
                $"sampler '{parts.Devices[device]}' returned no rollouts for a batch of {batch.Count} prompts within {s.SampleTimeout} (r1.pipeline.sample-timeout)", e);
        }
    }

    /// <summary>Each completion goes to a free verifier; a verifier that does not answer in time scores it 0.</summary>
    private static IGraph<FlowShape<Rollout, ScoredRollout>, NotUsed> Verification(PipelineSettings s, GraphParts parts) =>
        Pool<Rollout, ScoredRollout>(parts.Verifiers.Count, i =>
            Flow.Create<Rollout>().SelectAsync(1, rollout => AskVerifier(s, parts.Verifiers[i], parts.Counters, rollout)));

    private static async Task<ScoredRollout> AskVerifier(PipelineSettings s, IActorRef verifier, StageCounters counters, Rollout rollout)
    {
        // The verifier answers within its own timeout; this margin only covers an actor that stopped answering.
        var margin = s.VerifyTimeout + TimeSpan.FromSeconds(5);
        try
        {
            return await verifier.Ask<ScoredRollout>(new VerifyCompletion(rollout), margin).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            counters.VerifierFault();
            return new ScoredRollout(rollout, new RewardOutcome(0, new Dictionary<string, double>(), $"verifier did not answer within {margin}"), margin);
        }
    }

    /// <summary>Balance(n, waitForAllDownstreams) → worker i → Merge(n): a pool where a free worker takes the next element.</summary>
    private static Flow<TIn, TOut, NotUsed> Pool<TIn, TOut>(int size, Func<int, Flow<TIn, TOut, NotUsed>> worker) =>
        Flow.FromGraph(GraphDsl.Create(b =>
        {
            var balance = b.Add(new Balance<TIn>(size, waitForAllDownstreams: true));
            var merge = b.Add(new Merge<TOut>(size));
            for (var i = 0; i < size; i++)
                b.From(balance.Out(i)).Via(worker(i)).To(merge.In(i));
            return new FlowShape<TIn, TOut>(balance.In, merge.Out);
        }));
}
