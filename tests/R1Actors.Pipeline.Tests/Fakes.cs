using System.Collections.Concurrent;
using R1Actors.Simulation;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Rewards;

namespace R1Actors.Pipeline.Tests;

/// <summary>A simulated sampler that records what it was asked and can be told to throw.</summary>
public sealed class RecordingSampler(string device, SimulatedDeviceCosts costs, RecordingSamplerFactory owner) : ISamplerPort
{
    private readonly SimulatedSampler _inner = new(device, costs);
    private bool _generating;

    /// <summary>The managed thread of every call, creation and disposal included.</summary>
    public ConcurrentQueue<int> Threads { get; } = new([Environment.CurrentManagedThreadId]);

    public string Device { get; } = device;

    public ConcurrentQueue<long> Applied { get; } = new();

    public ConcurrentQueue<SampleBatch> Batches { get; } = new();

    public bool AppliedDuringGenerate { get; private set; }

    public bool Disposed => _inner.Disposed;

    public long PolicyVersion => _inner.PolicyVersion;

    public void ApplyWeights(long version)
    {
        Threads.Enqueue(Environment.CurrentManagedThreadId);
        AppliedDuringGenerate |= _generating;
        Applied.Enqueue(version);
        _inner.ApplyWeights(version);
    }

    public IReadOnlyList<Rollout> Generate(SampleBatch batch)
    {
        Threads.Enqueue(Environment.CurrentManagedThreadId);
        _generating = true;
        try
        {
            var call = owner.NextCall();
            if (owner.Fails(call, this))
            {
                owner.FailedBatches.Enqueue(batch);
                throw new InvalidOperationException($"simulated device fault on call {call}");
            }
            SimulatedWork.Spend(owner.Delay(this));
            Batches.Enqueue(batch);
            return _inner.Generate(batch);
        }
        finally
        {
            _generating = false;
        }
    }

    public void Dispose()
    {
        Threads.Enqueue(Environment.CurrentManagedThreadId);
        _inner.Dispose();
    }
}

/// <summary>Makes <see cref="RecordingSampler"/>s and keeps every one it made, replacements included.</summary>
public sealed class RecordingSamplerFactory(
    Func<int, RecordingSampler, bool>? fails = null,
    Func<RecordingSampler, TimeSpan>? delay = null,
    SimulatedDeviceCosts? costs = null) : ISamplerPortFactory
{
    private int _calls;

    public ConcurrentQueue<RecordingSampler> Created { get; } = new();

    /// <summary>The batches of the calls that threw.</summary>
    public ConcurrentQueue<SampleBatch> FailedBatches { get; } = new();

    public ISamplerPort Create(string device)
    {
        var port = new RecordingSampler(device, costs ?? SimulatedDeviceCosts.Free, this);
        Created.Enqueue(port);
        return port;
    }

    internal int NextCall() => Interlocked.Increment(ref _calls);

    internal bool Fails(int call, RecordingSampler port) => fails?.Invoke(call, port) ?? false;

    internal TimeSpan Delay(RecordingSampler port) => delay?.Invoke(port) ?? TimeSpan.Zero;

}

/// <summary>A simulated learner that records every batch it is given and can be slowed, blocked or made to throw.</summary>
public sealed class RecordingLearner(
    long initialVersion = 0, Func<int, LearnerBatch, bool>? fails = null, Func<TimeSpan>? cost = null, Func<LearnerBatch, bool>? skips = null) : ILearnerPort
{
    private readonly SimulatedLearner _inner = new(TimeSpan.Zero, initialVersion);
    private int _attempts;

    public ConcurrentQueue<LearnerBatch> Attempts { get; } = new();

    public ConcurrentQueue<LearnerBatch> Steps { get; } = new();

    /// <summary>The managed thread of every step and checkpoint.</summary>
    public ConcurrentQueue<int> Threads { get; } = new();

    /// <summary>When set, every step waits for it (a learner that cannot keep up).</summary>
    public SemaphoreSlim? Gate { get; init; }

    public IReadOnlyList<PipelineProgress> Checkpoints => _inner.Checkpoints;

    public long PolicyVersion => _inner.PolicyVersion;

    public StepOutcome Step(LearnerBatch batch)
    {
        Threads.Enqueue(Environment.CurrentManagedThreadId);
        Attempts.Enqueue(batch);
        var attempt = Interlocked.Increment(ref _attempts);
        Gate?.Wait();
        if (fails?.Invoke(attempt, batch) == true)
            throw new InvalidOperationException($"simulated learner fault on attempt {attempt}");
        SimulatedWork.Spend(cost?.Invoke() ?? TimeSpan.Zero);
        Steps.Enqueue(batch);
        return skips?.Invoke(batch) == true
            ? new StepOutcome(PolicyVersion, new Dictionary<string, double>(), "no group carried a reward signal")
            : _inner.Step(batch);
    }

    public void Checkpoint(PipelineProgress progress)
    {
        Threads.Enqueue(Environment.CurrentManagedThreadId);
        _inner.Checkpoint(progress);
    }
}

/// <summary>A reward function whose behaviour per completion the test decides (answer, throw, or never finish).</summary>
public sealed class ScriptedRewards(Func<TaskSpec, string, Task<RewardOutcome>> score) : IRewardFunction
{
    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        new(score(task, completion));
}

/// <summary>A dataset that counts the prompts read from it: how far the prompt source has run.</summary>
public sealed class CountingDataset(IPromptDataset inner) : IPromptDataset
{
    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    public string Description => inner.Description;

    public int Count => inner.Count;

    public IReadOnlyDictionary<string, string> KindsPresent => inner.KindsPresent;

    public Prompt Get(int index)
    {
        Interlocked.Increment(ref _reads);
        return inner.Get(index);
    }
}
