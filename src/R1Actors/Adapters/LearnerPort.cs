using System.Text.Json;
using R1Actors.Pipeline.Contracts;
using R1Actors.Training.Learning;

namespace R1Actors.Adapters;

/// <summary>
/// The pipeline's <see cref="ILearnerPort"/> over a <see cref="LearnerSession"/>: hands the batch to the learner,
/// returns the step's figures under their <see cref="MetricNames"/>, and stores <see cref="PipelineProgress"/> as
/// the pipeline's part of <c>trainer_state.json</c>.
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
        var result = session.Train(batch);
        return new StepOutcome(session.Learner.PolicyVersion, result.Metrics.Figures(), result.SkipReason);
    }

    public void Checkpoint(PipelineProgress progress) =>
        session.SaveCheckpoint(JsonSerializer.SerializeToElement(progress, ProgressJson));

    /// <summary>The pipeline's progress saved with the checkpoint the session resumed from; null for a fresh run.</summary>
    public static PipelineProgress? ResumedProgress(LearnerSession session) =>
        session.Resumed?.Pipeline is { } saved ? saved.Deserialize<PipelineProgress>(ProgressJson) : null;
}
