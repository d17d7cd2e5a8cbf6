using System.Text.Json;

namespace R1Actors.Training.Checkpoints;

/// <summary>
/// <c>trainer_state.json</c>: where the run stands. <see cref="Pipeline"/> is an opaque JSON value the
/// pipeline fills in with what it needs to resume (prompt cursor, its own random state, …); the learner
/// stores and returns it untouched.
/// </summary>
/// <param name="Step">Learner steps taken, skipped ones included.</param>
/// <param name="PolicyVersion">Version of the saved weights (updates applied since the run began).</param>
/// <param name="OptimizerSteps">AdamW's step count (its bias-correction t) and the schedule's position.</param>
/// <param name="TotalTokensTrained">Completion tokens trained on since the run began.</param>
/// <param name="SavedAt">When the checkpoint was written.</param>
/// <param name="Pipeline">The pipeline's resume state, or null.</param>
/// <param name="MetricHistory">Recent steps' metrics, oldest first, under their <see cref="MetricNames"/>.</param>
public sealed record TrainerState(
    long Step,
    long PolicyVersion,
    long OptimizerSteps,
    long TotalTokensTrained,
    DateTimeOffset SavedAt,
    JsonElement? Pipeline,
    IReadOnlyList<Dictionary<string, double>> MetricHistory)
{
    public const string FileName = "trainer_state.json";
}
