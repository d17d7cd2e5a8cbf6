namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// One simulated set-up: how many devices, what each stage costs, and the pipeline's shape. Each stage's rate
/// is in rollouts per second with all its workers busy; the slowest sets the bound no schedule can beat.
/// </summary>
public sealed record BenchScenario(
    string Name,
    int Devices,
    TimeSpan BatchCost,
    int PromptsPerBatch,
    int GroupSize,
    int GroupsPerStep,
    int Verifiers,
    TimeSpan VerifyCost,
    TimeSpan StepCost,
    int MaxStaleness,
    int Steps,
    int WarmupSteps)
{
    public double SamplingRate => Rate(Devices * PromptsPerBatch * GroupSize, BatchCost);

    public double VerifyRate => Rate(Verifiers, VerifyCost);

    public double LearnRate => Rate(GroupsPerStep * GroupSize, StepCost);

    /// <summary>The slowest stage's rate: the most any schedule can reach.</summary>
    public double Bound => Math.Min(SamplingRate, Math.Min(VerifyRate, LearnRate));

    public int RolloutsPerStep => GroupsPerStep * GroupSize;

    /// <summary>
    /// Four devices, sampling the slowest stage and verification and learning each half as costly
    /// (per-rollout rates twice sampling's).
    /// </summary>
    public static BenchScenario SamplingBound(int steps) => new(
        "sampling-bound", Devices: 4, BatchCost: TimeSpan.FromMilliseconds(48), PromptsPerBatch: 2, GroupSize: 4,
        GroupsPerStep: 16, Verifiers: 4, VerifyCost: TimeSpan.FromMilliseconds(3), StepCost: TimeSpan.FromMilliseconds(48),
        MaxStaleness: 1, steps, WarmupSteps: Math.Max(2, steps / 8));

    /// <summary>
    /// One device and three equally costly stages (40 ms of each per step), small sampler batches so each
    /// completion reaches a verifier as soon as its batch is sampled.
    /// </summary>
    public static BenchScenario EqualStages(int steps, int maxStaleness) => new(
        $"equal-stages-k{maxStaleness}", Devices: 1, BatchCost: TimeSpan.FromMilliseconds(5), PromptsPerBatch: 1, GroupSize: 4,
        GroupsPerStep: 8, Verifiers: 4, VerifyCost: TimeSpan.FromMilliseconds(5), StepCost: TimeSpan.FromMilliseconds(40),
        maxStaleness, steps, WarmupSteps: Math.Max(2, steps / 8));

    /// <summary>
    /// Sampling-bound with long-tailed lengths: four continuously batching devices of 32 slots (1 ms a decode step,
    /// lengths lognormal with median 64 and p99 ≈ 1,000, capped at 1,024), verification and learning cheap.
    /// <see cref="BatchCost"/> is the mean time a slot spends on one completion, so the bound is 4 × 32 rows' worth.
    /// B = 64 so that the in-flight budget, (k + 1)·B prompts, covers the 4 × 8 groups in the slots and a step's worth
    /// of finished groups waiting for the learner: with B = 16 the budget, not the devices, sets the pace.
    /// </summary>
    public static BenchScenario LongTailed(int steps) => new(
        "long-tailed", Devices: 4, BatchCost: TimeSpan.FromMilliseconds(LongTailMeanSteps), PromptsPerBatch: 8, GroupSize: 4,
        GroupsPerStep: 64, Verifiers: 4, VerifyCost: TimeSpan.FromMilliseconds(0.2), StepCost: TimeSpan.FromMilliseconds(10),
        MaxStaleness: 1, steps, WarmupSteps: Math.Max(2, steps / 8));

    /// <summary>Mean decode steps of a completion in <see cref="LongTailed"/>: median 64 · exp(σ² / 2), σ = 1.19, less the cap's share.</summary>
    public const double LongTailMeanSteps = 124;

    /// <summary>
    /// Sampling spread over sampler nodes, each a process of its own: <see cref="Devices"/> simulated devices per node at
    /// 24 ms a prompt (48 ms a batch of 2 × 4), verification (1 ms a completion on 4 verifiers) and learning (10 ms a step
    /// of 32 × 4) each over five times as fast as two nodes' sampling, so sampling stays the slowest stage. B = 32 keeps
    /// the in-flight budget, (k + 1)·B prompts, well above what two nodes hold (2 × 2 devices × 2 batches × 2 prompts),
    /// and a step (128 rollouts) long against the fetch of each new weights version by every node.
    /// </summary>
    public static BenchScenario SamplerNodes(int steps, int devicesPerNode) => new(
        "sampler-nodes", Devices: devicesPerNode, BatchCost: TimeSpan.FromMilliseconds(48), PromptsPerBatch: 2, GroupSize: 4,
        GroupsPerStep: 32, Verifiers: 4, VerifyCost: TimeSpan.FromMilliseconds(1), StepCost: TimeSpan.FromMilliseconds(10),
        MaxStaleness: 1, steps, WarmupSteps: Math.Max(2, steps / 8));

    /// <summary>The slowest-stage bound with <see cref="Devices"/> devices on each of <paramref name="nodes"/> sampler nodes.</summary>
    public double BoundWithNodes(int nodes) => Math.Min(nodes * SamplingRate, Math.Min(VerifyRate, LearnRate));

    /// <summary>Every stage free: what remains is the pipeline's own cost per rollout.</summary>
    public static BenchScenario Overhead(int steps) => new(
        "overhead", Devices: 4, BatchCost: TimeSpan.Zero, PromptsPerBatch: 4, GroupSize: 8, GroupsPerStep: 32,
        Verifiers: 4, VerifyCost: TimeSpan.Zero, StepCost: TimeSpan.Zero, MaxStaleness: 2, steps, WarmupSteps: Math.Max(2, steps / 8));

    private static double Rate(int rollouts, TimeSpan cost) => cost > TimeSpan.Zero ? rollouts / cost.TotalSeconds : double.PositiveInfinity;
}

/// <summary>What a scenario achieved after its warm-up steps.</summary>
/// <param name="DeviceBusy">Device → fraction of the measured time it spent sampling.</param>
public sealed record BenchResult(
    BenchScenario Scenario,
    double RolloutsPerSecond,
    double StepsPerSecond,
    IReadOnlyDictionary<string, double> DeviceBusy,
    double MeasuredSeconds,
    long DroppedRollouts,
    long MaxStaleness)
{
    public double MinDeviceBusy => DeviceBusy.Count == 0 ? 0 : DeviceBusy.Values.Min();

    public double FractionOfBound => RolloutsPerSecond / Scenario.Bound;

    /// <summary>Wall time per rollout in microseconds.</summary>
    public double MicrosecondsPerRollout => 1e6 / RolloutsPerSecond;
}
