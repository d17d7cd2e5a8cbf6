using R1Actors.Pipeline;
using R1Actors.Pipeline.Contracts;

namespace R1Actors.Simulation;

/// <summary>
/// A stand-in for a continuously batching device: <paramref name="slots"/> rows, a decode step costs
/// <paramref name="stepCost"/> however many are active, and each completion's length is drawn from its seed:
/// lognormal with median <paramref name="medianLength"/> and σ = 1.19 (p99 ≈ 16 × median), capped at
/// <paramref name="maxLength"/>. Rows join free slots at the next step; each token records the version held when
/// it was drawn, and a rollout carries the oldest, as the real port does. A prompt <paramref name="refuses"/> picks
/// comes back from the next step as the real port returns a prompt with no room in its cache: G empty rollouts,
/// <see cref="FinishReason.Refused"/>.
/// </summary>
public sealed class SimulatedContinuousSampler(
    string device, int slots, TimeSpan stepCost, int medianLength, int maxLength, long initialVersion = 0,
    Func<IssuedPrompt, bool>? refuses = null) : IContinuousSamplerPort
{
    private readonly List<IReadOnlyList<Rollout>> refused = [];
    private readonly Queue<Row> waiting = new();
    private readonly List<Row> active = [];
    private readonly Dictionary<long, (IssuedPrompt Prompt, Rollout?[] Done)> groups = [];
    private long activeRowSteps, steps;

    public string Device => device;

    public long PolicyVersion { get; private set; } = initialVersion;

    public bool HasWork => waiting.Count > 0 || active.Count > 0 || refused.Count > 0;

    public int RowsInFlight => active.Count;

    public bool WantsMore => waiting.Count < slots - active.Count;

    public (long ActiveRowSteps, long SlotSteps) Occupancy => (activeRowSteps, steps * slots);

    /// <summary>Each finished rollout's newest token version, by (prompt ordinal, sample): what tests check switching against.</summary>
    public Dictionary<(long Ordinal, int Sample), long> NewestTokenVersions { get; } = [];

    public void ApplyWeights(long version) => PolicyVersion = version;

    public IReadOnlyList<Rollout> Generate(SampleBatch batch) =>
        throw new NotSupportedException("a continuous sampler is driven by Enqueue and Step");

    /// <summary>The most prompts this sampler held at once (queued or in flight).</summary>
    public int MostPromptsHeld { get; private set; }

    public void Enqueue(IssuedPrompt prompt, int groupSize, ulong runSeed)
    {
        if (refuses?.Invoke(prompt) == true)
        {
            refused.Add([.. Enumerable.Range(0, groupSize).Select(g => new Rollout(prompt, g, [1, 2, 3], [], "", [], PolicyVersion, FinishReason.Refused, device))]);
            return;
        }
        groups[prompt.Ordinal] = (prompt, new Rollout?[groupSize]);
        MostPromptsHeld = Math.Max(MostPromptsHeld, groups.Count);
        for (var g = 0; g < groupSize; g++)
        {
            var seed = Seeds.Mix(Seeds.Mix(Seeds.Mix(runSeed, (ulong)PolicyVersion), (ulong)prompt.Ordinal), (ulong)g);
            waiting.Enqueue(new Row(prompt.Ordinal, g, Length(seed)));
        }
    }

    public IReadOnlyList<IReadOnlyList<Rollout>> Step()
    {
        var finished = new List<IReadOnlyList<Rollout>>(refused);
        refused.Clear();
        while (active.Count < slots && waiting.Count > 0)
            active.Add(waiting.Dequeue());
        if (active.Count == 0)
            return finished;
        SimulatedWork.Spend(stepCost);
        steps++;
        activeRowSteps += active.Count;
        foreach (var row in active)
        {
            row.Versions.Add(PolicyVersion);
            if (row.Versions.Count == row.Length && Finish(row) is { } group)
                finished.Add(group);
        }
        active.RemoveAll(row => row.Versions.Count == row.Length);
        return finished;
    }

    private IReadOnlyList<Rollout>? Finish(Row row)
    {
        var (prompt, done) = groups[row.Ordinal];
        NewestTokenVersions[(row.Ordinal, row.Sample)] = row.Versions.Max();
        done[row.Sample] = new Rollout(prompt, row.Sample, [1, 2, 3], [.. Enumerable.Range(0, row.Length)],
            $"<think> working it out </think> <answer>{(row.Length % 2 == 0 ? SimulatedSampler.Reference(prompt.Prompt) : "unsure")}</answer>",
            [.. Enumerable.Repeat(-1.0f, row.Length)], row.Versions.Min(), row.Length == maxLength ? FinishReason.Length : FinishReason.Stop, device)
        {
            TokenVersions = row.Versions,
        };
        if (done.Any(r => r is null))
            return null;
        groups.Remove(row.Ordinal);
        return [.. done!];
    }

    /// <summary>Lognormal length from the seed: two uniforms, Box–Muller.</summary>
    private int Length(ulong seed)
    {
        double u1 = ((Seeds.Mix(seed, 1) >> 11) + 0.5) / (1UL << 53), u2 = ((Seeds.Mix(seed, 2) >> 11) + 0.5) / (1UL << 53);
        var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return (int)Math.Clamp(Math.Round(medianLength * Math.Exp(1.19 * z)), 1, maxLength);
    }

    public void Dispose()
    {
    }

    private sealed class Row(long ordinal, int sample, int length)
    {
        public long Ordinal { get; } = ordinal;
        public int Sample { get; } = sample;
        public int Length { get; } = length;
        public List<long> Versions { get; } = [];
    }
}

/// <summary>Makes <see cref="SimulatedContinuousSampler"/>s of one shape, keeping each so tests can read what it did.</summary>
public sealed class SimulatedContinuousSamplerFactory(int slots, TimeSpan stepCost, int medianLength, int maxLength,
    Func<IssuedPrompt, bool>? refuses = null) : ISamplerPortFactory
{
    public List<SimulatedContinuousSampler> Created { get; } = [];

    public ISamplerPort Create(string device)
    {
        var sampler = new SimulatedContinuousSampler(device, slots, stepCost, medianLength, maxLength, refuses: refuses);
        lock (Created)
            Created.Add(sampler);
        return sampler;
    }
}
