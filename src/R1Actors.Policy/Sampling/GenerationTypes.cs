namespace R1Actors.Policy.Sampling;

/// <summary>
/// B prompts (token ids), G samples each, one seed per (prompt, sample) in row order b·G + g
/// (see <see cref="SampleSeed.Derive"/>). <see cref="TokenLimits"/>, when set, gives each row (same order) a limit
/// of its own, at most <see cref="SamplingOptions.MaxNewTokens"/>: the row ends there as <c>length</c>.
/// </summary>
public sealed record GenerationRequest(IReadOnlyList<IReadOnlyList<int>> Prompts, int SamplesPerPrompt, IReadOnlyList<ulong> Seeds)
{
    public IReadOnlyList<int>? TokenLimits { get; init; }

    /// <summary>Seeds for every (prompt, sample) of one step of a run.</summary>
    public static GenerationRequest ForStep(IReadOnlyList<IReadOnlyList<int>> prompts, int samplesPerPrompt, ulong runSeed,
        long step, IReadOnlyList<long> promptIds) =>
        new(prompts, samplesPerPrompt,
            [.. Enumerable.Range(0, prompts.Count * samplesPerPrompt)
                .Select(row => SampleSeed.Derive(runSeed, step, promptIds[row / samplesPerPrompt], row % samplesPerPrompt))]);
}

/// <summary>
/// One completion: its tokens (including the stop token, or the token that completed a stop string),
/// per token log π_T(token) under softmax(logits / T) — what <see cref="CompletionScorer"/> recomputes — and
/// under the top-k/top-p-truncated distribution actually sampled from.
/// </summary>
public sealed record GeneratedSequence(
    int Prompt,
    int Sample,
    IReadOnlyList<int> TokenIds,
    IReadOnlyList<float> LogProbs,
    IReadOnlyList<float> FilteredLogProbs,
    FinishReason FinishReason,
    string? MatchedStopString);

/// <summary>All completions of a request, in row order (prompt-major), with work counts for throughput figures.</summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedSequence> Sequences, long PromptTokens, int DecodeSteps)
{
    public long GeneratedTokens => Sequences.Sum(s => (long)s.TokenIds.Count);
}
