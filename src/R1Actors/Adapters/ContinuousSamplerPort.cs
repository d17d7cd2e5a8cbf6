using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Training.Weights;
using Serilog;

namespace R1Actors.Adapters;

/// <summary>
/// The pipeline's <see cref="IContinuousSamplerPort"/> over a <see cref="PolicyReplica"/>: a <see cref="ContinuousBatcher"/>
/// with the configured slots, prompts encoded and seeded as <see cref="SamplerPort"/> does (the version held when
/// the prompt is queued), weights from the learner's store through the static port it wraps. A prompt too long
/// for a slot is refused by the batcher; it is logged, counted and sampled on its own as a static batch, so no
/// prompt is lost. Called from the sampler actor's thread only.
/// </summary>
public sealed class ContinuousSamplerPort : IContinuousSamplerPort
{
    private static readonly ILogger Log = Serilog.Log.ForContext<ContinuousSamplerPort>();
    private readonly PolicyReplica replica;
    private readonly SamplerPort whole;
    private readonly ContinuousBatcher batcher;
    private readonly string device;
    private readonly Dictionary<long, (IssuedPrompt Prompt, IReadOnlyList<int> Ids)> queued = [];
    private readonly List<IReadOnlyList<Rollout>> sampledAlone = [];

    public ContinuousSamplerPort(PolicyReplica replica, WeightStore weights, SamplingOptions options, ContinuousBatchingSettings slots, string device)
    {
        this.replica = replica;
        this.device = device;
        whole = new SamplerPort(replica, weights, options, device);
        batcher = replica.CreateBatcher(options, slots.Slots, slots.SlotTokens);
    }

    public long PolicyVersion => whole.PolicyVersion;

    /// <summary>Prompts too long for a slot, sampled on their own instead.</summary>
    public long RefusedPrompts { get; private set; }

    public bool HasWork => !batcher.Idle || sampledAlone.Count > 0;

    public int RowsInFlight => batcher.RowsInFlight;

    public bool WantsMore => batcher.WantsMore;

    public (long ActiveRowSteps, long SlotSteps) Occupancy => (batcher.Stats.ActiveRowSteps, batcher.Stats.DecodeSteps * batcher.Slots);

    public void ApplyWeights(long version)
    {
        whole.ApplyWeights(version);
        batcher.WeightsVersion = whole.PolicyVersion;
    }

    public IReadOnlyList<Rollout> Generate(SampleBatch batch) => whole.Generate(batch);

    public void Enqueue(IssuedPrompt prompt, int groupSize, ulong runSeed)
    {
        var ids = replica.Encode(prompt.Prompt.Content);
        var seeds = GenerationRequest.ForStep([ids], groupSize, runSeed, PolicyVersion, [prompt.Ordinal]).Seeds;
        if (batcher.Enqueue(new SampleGroup(prompt.Ordinal, ids, seeds)) is not { } refusal)
        {
            queued[prompt.Ordinal] = (prompt, ids);
            return;
        }
        RefusedPrompts++;
        Log.Warning("Prompt {PromptId} refused by continuous batching on {Device} ({Reason}); sampled on its own, {RefusedPrompts} so far",
            prompt.Prompt.Id, device, refusal, RefusedPrompts);
        sampledAlone.Add(whole.Generate(new SampleBatch([prompt], groupSize, runSeed, PolicyVersion)));
    }

    public IReadOnlyList<IReadOnlyList<Rollout>> Step()
    {
        var done = new List<IReadOnlyList<Rollout>>(sampledAlone);
        sampledAlone.Clear();
        foreach (var group in batcher.Step())
        {
            queued.Remove(group.Key, out var prompt);
            done.Add([.. group.Sequences.Select((sequence, g) => SamplerPort.ToRollout(prompt.Prompt, replica.Completion(prompt.Ids, sequence),
                group.TokenVersions[g].DefaultIfEmpty(PolicyVersion).Min(), device) with { TokenVersions = group.TokenVersions[g] })]);
        }
        return done;
    }

    public void Dispose()
    {
        batcher.Dispose();
        whole.Dispose();
    }
}
