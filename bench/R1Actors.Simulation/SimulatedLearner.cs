using R1Actors.Pipeline.Contracts;

namespace R1Actors.Simulation;

/// <summary>
/// A stand-in for the GRPO learner: spends its configured time per step, moves to the next version, reports
/// the batch's mean reward, and keeps every checkpoint's progress in memory (where a resume would read it).
/// </summary>
public sealed class SimulatedLearner(TimeSpan costPerStep, long initialVersion = 0) : ILearnerPort
{
    private readonly List<PipelineProgress> _checkpoints = [];
    private readonly Lock _gate = new();

    public long PolicyVersion { get; private set; } = initialVersion;

    public IReadOnlyList<PipelineProgress> Checkpoints
    {
        get
        {
            lock (_gate)
                return [.. _checkpoints];
        }
    }

    public StepOutcome Step(LearnerBatch batch)
    {
        SimulatedWork.Spend(costPerStep);
        var rewards = batch.Groups.SelectMany(g => g.Completions).Select(c => c.Reward.Score).ToArray();
        PolicyVersion++;
        return new StepOutcome(PolicyVersion, new Dictionary<string, double>
        {
            [MetricNames.RewardMean] = rewards.Length == 0 ? 0 : rewards.Average(),
        });
    }

    public void Checkpoint(PipelineProgress progress)
    {
        lock (_gate)
            _checkpoints.Add(progress);
    }
}
