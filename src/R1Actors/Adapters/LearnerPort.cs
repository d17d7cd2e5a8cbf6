using System.Text.Json;
using R1Actors.Pipeline.Contracts;
using R1Actors.Rewards;
using R1Actors.Training.Learning;
using PolicyFinish = R1Actors.Policy.Sampling.FinishReason;
using TrainingGroup = R1Actors.Training.Batches.ScoredGroup;
using TrainingBatch = R1Actors.Training.Batches.TrainingBatch;
using TrainingCompletion = R1Actors.Training.Batches.ScoredCompletion;

namespace R1Actors.Adapters;

/// <summary>
/// The pipeline's <see cref="ILearnerPort"/> over a <see cref="LearnerSession"/>: maps scored rollouts to the
/// learner's groups (token ids, behaviour log-probs, reward, finish reason, version; a completion counts as
/// correct when its <c>answer</c> component has full marks), returns the step's metrics under their snake_case
/// names, and stores <see cref="PipelineProgress"/> as the pipeline's part of <c>trainer_state.json</c>.
/// Called from the learner actor's thread only, like the session it wraps.
/// </summary>
public sealed class LearnerPort(LearnerSession session) : ILearnerPort
{
    private static readonly JsonSerializerOptions ProgressJson = new(JsonSerializerDefaults.Web);

    public long PolicyVersion => session.Learner.PolicyVersion;

    public StepOutcome Step(LearnerBatch batch)
    {
        if (batch.PolicyVersion != session.Learner.PolicyVersion)
            throw new InvalidOperationException($"the pipeline trains v{batch.PolicyVersion} but the learner holds v{session.Learner.PolicyVersion}");
        var result = session.Train(new TrainingBatch(batch.Groups.Select(ToTraining).ToArray(), batch.DiscardedGroups));
        return new StepOutcome(session.Learner.PolicyVersion, result.Metrics.ToDictionary(), result.SkipReason);
    }

    public void Checkpoint(PipelineProgress progress) =>
        session.SaveCheckpoint(JsonSerializer.SerializeToElement(progress, ProgressJson));

    /// <summary>The pipeline's progress saved with the checkpoint the session resumed from; null for a fresh run.</summary>
    public static PipelineProgress? ResumedProgress(LearnerSession session) =>
        session.Resumed?.Pipeline is { } saved ? saved.Deserialize<PipelineProgress>(ProgressJson) : null;

    /// <summary>A pipeline group as the learner sees it.</summary>
    internal static TrainingGroup ToTraining(ScoredGroup group)
    {
        if (group.Completions.Count == 0)
            throw new ArgumentException($"prompt {group.Prompt.Prompt.Id}: a group without completions");
        var completions = group.Completions.Select(c => new TrainingCompletion(
            c.Rollout.CompletionTokenIds,
            c.Rollout.BehaviourLogProbs,
            c.Reward.Score,
            c.Rollout.FinishReason == FinishReason.Length ? PolicyFinish.Length : PolicyFinish.Stop,
            c.Rollout.PolicyVersion,
            c.Reward.Components.TryGetValue(Outcomes.Answer, out var answer) && answer >= 1.0)).ToArray();
        return new TrainingGroup(group.Completions[0].Rollout.PromptTokenIds, completions);
    }
}
