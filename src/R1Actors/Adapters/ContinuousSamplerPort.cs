using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Training.Weights;

namespace R1Actors.Adapters;

/// <summary>
/// The pipeline's <see cref="IContinuousSamplerPort"/> over a <see cref="PolicyReplica"/>: a <see cref="ContinuousBatcher"/>
/// with the configured slots, prompts encoded and seeded as <see cref="SamplerPort"/> does (the version held when
/// the prompt is queued), weights from the learner's store through the static port it wraps. A prompt gets the
/// room its slot leaves (<see cref="ContextBudget"/>); one the batcher refuses (no room for a new token) is logged
/// and counted by the static port, and its G rollouts come back empty as <see cref="FinishReason.Refused"/> from
/// the next <see cref="Step"/>, so its group completes, scores 0 and is not trained on. Called from the sampler
/// actor's thread only.
/// </summary>
public sealed class ContinuousSamplerPort : IContinuousSamplerPort
{
    private readonly PolicyReplica replica;
    private readonly SamplerPort whole;
    private readonly ContinuousBatcher batcher;
    private readonly string device;
    private readonly Dictionary<long, (IssuedPrompt Prompt, IReadOnlyList<int> Ids)> queued = [];
    private readonly List<IReadOnlyList<Rollout>> refused = [];

    public ContinuousSamplerPort(PolicyReplica replica, WeightStore weights, SamplingOptions options, ContinuousBatchingSettings slots, string device)
    {
        this.replica = replica;
        this.device = device;
        whole = new SamplerPort(replica, weights, options, device);
        batcher = replica.CreateBatcher(options, slots.Slots, slots.SlotTokens);
    }

    public long PolicyVersion => whole.PolicyVersion;

    /// <summary>Prompts refused since the port was made, by the batcher or by a static batch (<see cref="Generate"/>).</summary>
    public long RefusedPrompts => whole.RefusedPrompts;

    public bool HasWork => !batcher.Idle || refused.Count > 0;

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
        if (batcher.Enqueue(new SampleGroup(prompt.Ordinal, ids, seeds)) is { } refusal)
            refused.Add(whole.Refuse(prompt, ids, groupSize, refusal));
        else
            queued[prompt.Ordinal] = (prompt, ids);
    }

    public IReadOnlyList<IReadOnlyList<Rollout>> Step()
    {
        var done = new List<IReadOnlyList<Rollout>>(refused);
        refused.Clear();
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
