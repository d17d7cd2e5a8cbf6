using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// The actors and shared state the graph connects; <see cref="GroupsFiltered"/> when an <see cref="IGroupFilter"/> may
/// leave groups out; <see cref="SamplerPool"/> in a cluster run, where every sampler (this node's and the sampler
/// nodes') stands behind the pool.
/// </summary>
public sealed record GraphParts(
    IReadOnlyList<IActorRef> Samplers,
    IReadOnlyList<string> Devices,
    IReadOnlyList<IActorRef> Verifiers,
    IActorRef Learner,
    InFlightBudget Budget,
    StageCounters Counters,
    PipelineCompletion Completion,
    bool GroupsFiltered = false,
    IActorRef? SamplerPool = null);

/// <summary>
/// The stream from prompts to learner. Every stage is bounded and backpressured, end to end:
/// <code>
///  prompts ─► admit ((k+1)·B slots) ─► batch ─► Balance ─► sampler i (SelectAsync(1+queue, Ask)) ─► Merge ─► buffer
///            (continuous batching: admit ─► Balance ─► sampler i (SelectAsyncUnordered(continuous-prompts, Ask one prompt)) ─► Merge)
///            (a cluster run: admit ─► batch, or one prompt ─► SelectAsync(in-flight prompts, Ask the sampler pool), in admission order)
///    ─► one rollout at a time ─► Balance ─► verifier j (SelectAsync(1, Ask)) ─► Merge ─► group assembly
///    ─► buffer ─► learner (ack sink)
/// </code>
/// Each completion is verified as soon as its batch leaves the sampler, never after a whole step's worth.
/// In deterministic mode batches are cut by admission instead of a timer (<see cref="DeterministicBatching"/>)
/// and the verifier pool keeps the order completions arrive in.
/// </summary>
public static class PipelineGraph
{
    /// <summary>The graph; its materialized task completes when every stage has stopped.</summary>
    public static IRunnableGraph<Task<Done>> Build(PipelineSettings s, IEnumerable<IssuedPrompt> prompts, GraphParts parts) =>
        Source.From(prompts)
            .Via(parts.Completion.KillSwitch.Flow<IssuedPrompt>())
            .Via(Sampling(s, parts))
            .Buffer(s.EffectiveRolloutBuffer, OverflowStrategy.Backpressure)
            .Via(s.Deterministic ? OrderedVerification(s, parts) : Verification(s, parts))
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

    /// <summary>
    /// Admission, one prompt at a time: each takes a slot of the in-flight budget (waiting while none is free) and
    /// leaves as <paramref name="admitted"/> makes it, called right after the slot was taken, before the next prompt
    /// can take one. When the run ends while a prompt waits, admission stops quietly.
    /// </summary>
    internal static Flow<IssuedPrompt, T, NotUsed> Admission<T>(GraphParts parts, Func<IssuedPrompt, T> admitted) =>
        Flow.Create<IssuedPrompt>()
            .SelectAsync(1, async prompt =>
            {
                if (!await parts.Budget.TryAcquireAsync(parts.Completion.Ended).ConfigureAwait(false))
                    return (Admitted: false, Value: default(T)!);
                parts.Counters.PromptsAdmitted(1);
                return (Admitted: true, Value: admitted(prompt));
            })
            .TakeWhile(admission => admission.Admitted)
            .Select(admission => admission.Value);

    /// <summary>Admitted prompts in sampler batches of prompts-per-batch, or fewer once a batch has waited batch-linger.</summary>
    private static Flow<IssuedPrompt, IReadOnlyList<IssuedPrompt>, NotUsed> TimedBatching(PipelineSettings s, GraphParts parts) =>
        Admission(parts, prompt => prompt)
            .GroupedWithin(s.PromptsPerBatch, s.BatchLinger > TimeSpan.Zero ? s.BatchLinger : TimeSpan.FromTicks(1))
            .Select(batch => (IReadOnlyList<IssuedPrompt>)batch.ToArray());

    /// <summary>Admitted prompts to rollouts: continuous batching when configured (never in deterministic mode), static batches otherwise.</summary>
    private static Flow<IssuedPrompt, Rollout, NotUsed> Sampling(PipelineSettings s, GraphParts parts) =>
        parts.SamplerPool is { } pool
            ? PooledSampling(s, parts, pool)
            : s.BatchesContinuously
                ? Admission(parts, prompt => prompt).Via(ContinuousSampling(s, parts))
                : (s.Deterministic ? DeterministicBatching.Create(s.PromptsPerBatch, parts) : TimedBatching(s, parts)).Via(StaticSampling(s, parts));

    /// <summary>
    /// A cluster run: batches (one prompt each when batching continuously) go to the <see cref="Cluster.SamplerPool"/>,
    /// which hands each to a sampler with room on any node and issues it again if that sampler's node goes away. The
    /// in-flight budget bounds what is asked at once, so the learner's demand still pulls prompts from the source
    /// however many nodes join; a request waits in the pool while no sampler has room.
    /// <para>
    /// Batches leave in the order they were admitted, whichever node finished first: nodes of unequal speed would
    /// otherwise let newer prompts overtake older ones into a learner step, and the older ones would then miss the
    /// staleness window (k + 1 steps) that the in-flight budget guarantees for prompts trained in order. (With this
    /// and the pool's rule that a node behind the newest version gets no work, the demo on two sampler nodes, k = 2,
    /// dropped no rollout as stale in 100 steps; without either, 28 % of them.)
    /// </para>
    /// </summary>
    private static Flow<IssuedPrompt, Rollout, NotUsed> PooledSampling(PipelineSettings s, GraphParts parts, IActorRef pool) =>
        (s.BatchesContinuously ? Admission(parts, prompt => (IReadOnlyList<IssuedPrompt>)[prompt]) : TimedBatching(s, parts))
            .SelectAsync(s.InFlightPrompts, batch => pool.Ask<RolloutsGenerated>(new GenerateRollouts(batch), parts.Completion.Ended))
            .SelectMany(generated => generated.Rollouts);

    /// <summary>Batches go to whichever device is free; each keeps at most 1 + sampler-queue batches.</summary>
    private static IGraph<FlowShape<IReadOnlyList<IssuedPrompt>, Rollout>, NotUsed> StaticSampling(PipelineSettings s, GraphParts parts) =>
        Pool<IReadOnlyList<IssuedPrompt>, RolloutsGenerated>(parts.Samplers.Count, i =>
                Flow.Create<IReadOnlyList<IssuedPrompt>>().SelectAsync(1 + s.SamplerQueue, batch => AskSampler(s, parts, i, batch)))
            .SelectMany(generated => generated.Rollouts);

    /// <summary>
    /// Continuous batching: prompts go one at a time to whichever device has room, each device holding at most
    /// continuous-prompts of them (starting each only when it has free slots); a prompt's group leaves as soon as
    /// it finishes, in any order, and its completion is what pulls the next prompt in: backpressure to the source.
    /// </summary>
    private static IGraph<FlowShape<IssuedPrompt, Rollout>, NotUsed> ContinuousSampling(PipelineSettings s, GraphParts parts) =>
        Pool<IssuedPrompt, RolloutsGenerated>(parts.Samplers.Count, i =>
                Flow.Create<IssuedPrompt>().SelectAsyncUnordered(s.ContinuousPrompts, prompt => AskSampler(s, parts, i, [prompt])))
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

    /// <summary>
    /// Deterministic mode: completions go to the verifiers in turn and leave in the order they came, so groups
    /// complete, and reach the learner (and its group filter), in the order their prompts were admitted.
    /// </summary>
    private static Flow<Rollout, ScoredRollout, NotUsed> OrderedVerification(PipelineSettings s, GraphParts parts) =>
        Flow.Create<Rollout>()
            .ZipWithIndex()
            .SelectAsync(parts.Verifiers.Count, indexed =>
                AskVerifier(s, parts.Verifiers[(int)(indexed.Item2 % parts.Verifiers.Count)], parts.Counters, indexed.Item1));

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
