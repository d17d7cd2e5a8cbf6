namespace R1Actors.Training.Learning;

/// <summary>
/// How big one forward/backward pass may be: at most <paramref name="MaxSequences"/> rows and, when
/// <paramref name="MaxTokens"/> is above 0, at most that many tokens — padded ones included (rows × (longest
/// prompt + longest completion)), or with <paramref name="Packed"/> the sequences' own tokens — which bounds
/// activation and logit memory however long the completions get.
/// </summary>
/// <param name="Packed">Score each pass's sequences packed back to back without padding (<see cref="Policy.Model.PackedSequences"/>).</param>
public sealed record MicroBatchSettings(int MaxSequences = 8, int MaxTokens = 0, bool Packed = false)
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
/// Splits the step's samples into micro-batches: sorted by length so rows of one pass pad little, then filled
/// greedily under the row and token limits (padded tokens, or real ones when the pass is packed). A single sample longer than the token limit still gets a
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
        long realTokens = 0;
        foreach (var sample in ordered)
        {
            var prompt = Math.Max(maxPrompt, sample.PromptIds.Count);
            var completion = Math.Max(maxCompletion, sample.CompletionIds.Count);
            var tokens = settings.Packed ? realTokens + sample.Length : (long)(current.Count + 1) * (prompt + completion);
            var fits = current.Count < settings.MaxSequences && (settings.MaxTokens == 0 || tokens <= settings.MaxTokens);
            if (!fits && current.Count > 0)
            {
                batches.Add(current);
                current = [];
                realTokens = 0;
                prompt = sample.PromptIds.Count;
                completion = sample.CompletionIds.Count;
            }
            current.Add(sample);
            realTokens += sample.Length;
            (maxPrompt, maxCompletion) = (prompt, completion);
        }
        if (current.Count > 0)
            batches.Add(current);
        return batches;
    }

    /// <summary>
    /// Share of the positions the passes feed through the model that are padding: a padded pass feeds rows ×
    /// (longest prompt + longest completion − 1), a packed one each sequence's own P + C − 1.
    /// </summary>
    public static double PaddingFraction(IReadOnlyList<IReadOnlyList<TrainingSample>> batches, MicroBatchSettings settings)
    {
        if (settings.Packed || batches.Count == 0)
            return 0.0;
        long real = 0, fed = 0;
        foreach (var batch in batches)
        {
            real += batch.Sum(s => (long)s.Length - 1);
            fed += (long)batch.Count * (batch.Max(s => s.PromptIds.Count) + Math.Max(1, batch.Max(s => s.CompletionIds.Count)) - 1);
        }
        return fed == 0 ? 0.0 : 1.0 - (double)real / fed;
    }
}
