namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// The <c>math</c> answer component: the completion's extracted answer against the task's <c>reference</c>
/// (which goes through the same extraction). 1 when equal, else 0 with the reason. A reference that
/// cannot be read scores 1 only for an answer written the same way, else 0, counted in
/// <see cref="InvalidReferences"/> (<c>r1actors verify</c> prints it), so a broken dataset shows.
/// </summary>
/// <example>reference <c>"#### 72"</c>, completion <c>"… &lt;answer&gt;72&lt;/answer&gt;"</c> → 1.</example>
public sealed class MathReward(MathSettings settings) : IRewardFunction
{
    private readonly MathEquivalence _equivalence = new(settings);
    private long _invalidReferences;

    /// <summary>How many scored tasks had a reference that could not be read.</summary>
    public long InvalidReferences => Interlocked.Read(ref _invalidReferences);

    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(task, completion));

    public RewardOutcome Score(TaskSpec task, string completion)
    {
        if (!task.TryGetText("reference", out var reference, out var problem)) return InvalidReference(problem!);
        var expected = AnswerExtractor.ExtractReference(reference);
        if (expected.Text.Length == 0) return InvalidReference("reference answer is empty");
        var predicted = AnswerExtractor.Extract(completion, settings.LastResortExtraction);
        if (predicted is null) return Outcomes.Fail(RewardComponents.Answer, "no answer found in the completion");
        var verdict = _equivalence.Compare(predicted.Text, expected.Text);
        if (verdict.ReferenceInvalid) return InvalidReference(verdict.Reason!);
        return verdict.Equal ? Outcomes.Pass(RewardComponents.Answer) : Outcomes.Fail(RewardComponents.Answer, verdict.Reason!);
    }

    private RewardOutcome InvalidReference(string reason)
    {
        Interlocked.Increment(ref _invalidReferences);
        return Outcomes.Fail(RewardComponents.Answer, $"invalid reference: {reason}");
    }
}
