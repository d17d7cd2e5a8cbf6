using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.Exact;

/// <summary>
/// The <c>exact</c> answer component: the extracted answer equals the extracted reference character for
/// character after trimming whitespace. No numeric reading at all, so <c>003</c> ≠ <c>3</c> — what the
/// built-in demo needs, whose additions write their digits least-significant first.
/// With the task field <c>whole_completion: true</c> (the built-in compact arithmetic task, whose completion is
/// the bare answer) the whole completion is the answer and nothing is extracted: <c>"x 003"</c> does not pass.
/// With the task field <c>answer_after</c> (the carry-trace task: <c>"7+8=15,&gt;51"</c>) the answer is what follows the
/// last occurrence of that marker; the work before it is not judged, only the outcome.
/// </summary>
/// <example>reference <c>"003"</c>: <c>"&lt;answer&gt;003&lt;/answer&gt;"</c> → 1, <c>"&lt;answer&gt;3&lt;/answer&gt;"</c> → 0.</example>
public sealed class ExactReward(bool lastResortExtraction) : IRewardFunction
{
    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(task, completion));

    public RewardOutcome Score(TaskSpec task, string completion)
    {
        if (!task.TryGetText("reference", out var reference, out var problem)) return Outcomes.Fail(RewardComponents.Answer, $"invalid reference: {problem}");
        var expected = AnswerExtractor.ExtractReference(reference).Text;
        if (task.Fields.TryGetValue("answer_after", out var marker) && marker.ValueKind == System.Text.Json.JsonValueKind.String && marker.GetString() is { Length: > 0 } after)
        {
            var at = completion.LastIndexOf(after, StringComparison.Ordinal);
            if (at < 0)
                return Outcomes.Fail(RewardComponents.Answer, $"no '{after}' before an answer in '{Shorten(completion.Trim())}'");
            var answer = completion[(at + after.Length)..].Trim();
            return string.Equals(answer, expected.Trim(), StringComparison.Ordinal)
                ? Outcomes.Pass(RewardComponents.Answer)
                : Outcomes.Fail(RewardComponents.Answer, $"answer '{Shorten(answer)}' after '{after}' is not exactly '{Shorten(expected.Trim())}'");
        }
        if (WholeCompletion(task))
            return string.Equals(completion.Trim(), expected.Trim(), StringComparison.Ordinal)
                ? Outcomes.Pass(RewardComponents.Answer)
                : Outcomes.Fail(RewardComponents.Answer, $"completion '{Shorten(completion.Trim())}' is not exactly '{Shorten(expected.Trim())}'");
        var predicted = AnswerExtractor.Extract(completion, lastResortExtraction);
        if (predicted is null) return Outcomes.Fail(RewardComponents.Answer, "no answer found in the completion");
        return string.Equals(predicted.Text.Trim(), expected.Trim(), StringComparison.Ordinal)
            ? Outcomes.Pass(RewardComponents.Answer)
            : Outcomes.Fail(RewardComponents.Answer, $"answer '{Shorten(predicted.Text.Trim())}' is not exactly '{Shorten(expected.Trim())}'");
    }

    private static bool WholeCompletion(TaskSpec task) =>
        task.Fields.TryGetValue("whole_completion", out var flag) && flag.ValueKind == System.Text.Json.JsonValueKind.True;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
