namespace R1Actors.Policy.Sampling;

/// <summary>
/// What a sampler's KV cache leaves a prompt. A row holds C tokens, prompt and completion together (a slot of a
/// <see cref="ContinuousBatcher"/>; <see cref="SamplingOptions.ContextTokens"/> for a static batch), so a prompt of
/// P tokens gets min(max-new-tokens, C − P) new tokens and ends as <c>length</c> where its room ends. A prompt with
/// no room for one new token (P ≥ C), with no tokens, or with a token the model does not know is refused: it is
/// never truncated and never sampled. Worked example: C = 12, max-new-tokens 6: P = 4 gets 6 tokens, P = 9 gets 3,
/// P = 12 is refused.
/// </summary>
public static class ContextBudget
{
    /// <summary>The new tokens the prompt may have, or why it is refused.</summary>
    public static (int NewTokens, string? Refusal) Room(IReadOnlyList<int> prompt, int contextTokens, int maxNewTokens, int vocabSize)
    {
        if (PromptChecks.Problem(prompt, vocabSize) is { } problem)
            return (0, problem);
        if (prompt.Count >= contextTokens)
            return (0, $"the prompt has {prompt.Count} tokens and the KV cache holds {contextTokens} a row (prompt + completion): no room for one new token");
        return (Math.Min(maxNewTokens, contextTokens - prompt.Count), null);
    }
}
