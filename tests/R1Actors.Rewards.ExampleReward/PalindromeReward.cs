using R1Actors.Rewards.Custom;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards.ExampleReward;

/// <summary>
/// Task kind <c>palindrome</c>: the answer block holds a palindrome of at least the row's <c>min_length</c>
/// letters (case, spaces and punctuation ignored). Rows: <c>{"task": "palindrome", "min_length": 7}</c>.
/// </summary>
/// <example><c>&lt;answer&gt;Never odd or even&lt;/answer&gt;</c> with min_length 7 scores 1; <c>racecars</c> scores 0.</example>
public sealed class PalindromeReward : ICustomReward
{
    public string Kind => "palindrome";

    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken)
    {
        if (!task.TryGetInteger("min_length", out var minLength, out var problem))
            return ValueTask.FromResult(Outcomes.Fail(RewardComponents.Answer, $"invalid task: {problem}"));
        var answer = AnswerExtractor.AnswerTagBody(completion);
        if (answer is null) return ValueTask.FromResult(Outcomes.Fail(RewardComponents.Answer, "no <answer> block"));
        var letters = answer.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray();
        if (letters.Length < minLength)
            return ValueTask.FromResult(Outcomes.Fail(RewardComponents.Answer, $"{letters.Length} letters, fewer than {minLength}"));
        var palindrome = letters.SequenceEqual(letters.Reverse());
        return ValueTask.FromResult(palindrome ? Outcomes.Pass(RewardComponents.Answer) : Outcomes.Fail(RewardComponents.Answer, "not a palindrome"));
    }
}
