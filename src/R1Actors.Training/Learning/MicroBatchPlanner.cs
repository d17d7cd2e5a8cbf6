namespace R1Actors.Training.Learning;

/// <summary>
/// How big one forward/backward pass may be: at most <paramref name="MaxSequences"/> rows and, when
/// <paramref name="MaxTokens"/> is above 0, at most that many padded tokens (rows × (longest prompt + longest
/// completion)), which bounds activation and logit memory however long the completions get.
/// </summary>
public sealed record MicroBatchSettings(int MaxSequences = 8, int MaxTokens = 0)
{
    public void Validate()
    {
        if (MaxSequences <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxSequences), MaxSequences, $"r1.training.optimizer.micro-batch-size must be ≥ 1, got {MaxSequences}");
        if (MaxTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, $"r1.training.optimizer.micro-batch-tokens must be ≥ 0 (0 = no token limit), got {MaxTokens}");
    }
}

/// <summary>
/// Splits the step's samples into micro-batches: sorted by length so rows of one pass pad little, then packed
/// greedily under the row and padded-token limits. A single sample longer than the token limit still gets a
/// pass of its own. The split changes nothing in the result, since every token carries its step-wide weight.
/// </summary>
internal static class MicroBatchPlanner
{
    public static IReadOnlyList<IReadOnlyList<TrainingSample>> Plan(IReadOnlyList<TrainingSample> samples, MicroBatchSettings settings)
    {
        var ordered = samples.OrderByDescending(s => s.Length).ToArray();
        var batches = new List<IReadOnlyList<TrainingSample>>();
        var current = new List<TrainingSample>();
        int maxPrompt = 0, maxCompletion = 0;
        foreach (var sample in ordered)
        {
            var prompt = Math.Max(maxPrompt, sample.PromptIds.Count);
            var completion = Math.Max(maxCompletion, sample.CompletionIds.Count);
            var fits = current.Count < settings.MaxSequences
                && (settings.MaxTokens == 0 || (long)(current.Count + 1) * (prompt + completion) <= settings.MaxTokens);
            if (!fits && current.Count > 0)
            {
                batches.Add(current);
                current = [];
                prompt = sample.PromptIds.Count;
                completion = sample.CompletionIds.Count;
            }
            current.Add(sample);
            (maxPrompt, maxCompletion) = (prompt, completion);
        }
        if (current.Count > 0)
            batches.Add(current);
        return batches;
    }
}
