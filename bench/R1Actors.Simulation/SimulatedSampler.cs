using System.Text.Json;
using R1Actors.Pipeline;
using R1Actors.Pipeline.Contracts;

namespace R1Actors.Simulation;

/// <summary>What a simulated device costs: per <c>Generate</c> call, per prompt in it, and per weights load.</summary>
public sealed record SimulatedDeviceCosts(TimeSpan PerBatch, TimeSpan PerPrompt, TimeSpan WeightLoad)
{
    public static readonly SimulatedDeviceCosts Free = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}

/// <summary>
/// A stand-in for a GPU sampler: it holds a weights version, spends its configured time per batch, and writes
/// completions that are a deterministic function of each sample's seed (about half of them answer correctly),
/// so the actor logic can be tested and benchmarked without a model.
/// </summary>
public sealed class SimulatedSampler(string device, SimulatedDeviceCosts costs, long initialVersion = 0) : ISamplerPort
{
    public string Device { get; } = device;

    public long PolicyVersion { get; private set; } = initialVersion;

    public bool Disposed { get; private set; }

    public void ApplyWeights(long version)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        SimulatedWork.Spend(costs.WeightLoad);
        PolicyVersion = version;
    }

    public IReadOnlyList<Rollout> Generate(SampleBatch batch)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        SimulatedWork.Spend(costs.PerBatch + (costs.PerPrompt * batch.Prompts.Count));
        var rollouts = new List<Rollout>(batch.Prompts.Count * batch.GroupSize);
        foreach (var prompt in batch.Prompts)
        {
            for (var i = 0; i < batch.GroupSize; i++)
                rollouts.Add(Complete(prompt, i, Seeds.Mix(Seeds.Mix(Seeds.Mix(batch.RunSeed, (ulong)batch.PolicyVersion), (ulong)prompt.Ordinal), (ulong)i)));
        }
        return rollouts;
    }

    private Rollout Complete(IssuedPrompt prompt, int sampleIndex, ulong seed)
    {
        var length = 8 + (int)(seed % 24);
        var tokens = Enumerable.Range(0, length).Select(t => (int)(Seeds.Mix(seed, (ulong)t) % 151_643)).ToArray();
        var answer = (seed >> 32) % 2 == 0 ? Reference(prompt.Prompt) : "unsure";
        return new Rollout(
            prompt,
            sampleIndex,
            PromptTokenIds: [1, 2, 3],
            CompletionTokenIds: tokens,
            CompletionText: $"<think> working it out </think> <answer>{answer}</answer>",
            BehaviourLogProbs: tokens.Select(_ => -1.0f).ToArray(),
            PolicyVersion,
            length == 31 ? FinishReason.Length : FinishReason.Stop,
            Device);
    }

    internal static string Reference(Prompt prompt) =>
        prompt.Task.Fields.TryGetValue("reference", out var reference) && reference.ValueKind == JsonValueKind.String
            ? reference.GetString()!
            : "0";

    public void Dispose() => Disposed = true;
}

/// <summary>Makes <see cref="SimulatedSampler"/>s with the same costs, or per-device costs.</summary>
public sealed class SimulatedSamplerFactory(Func<string, SimulatedDeviceCosts> costs) : ISamplerPortFactory
{
    public SimulatedSamplerFactory(SimulatedDeviceCosts costs)
        : this(_ => costs)
    {
    }

    public ISamplerPort Create(string device) => new SimulatedSampler(device, costs(device));
}
