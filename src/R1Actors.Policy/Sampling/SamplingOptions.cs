using R1Actors.Policy.Model;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// How completions are drawn. Temperature 0 means greedy decoding. Top-k (0 = off) and top-p (1 = off)
/// truncate the distribution before sampling. Generation of a row stops at the first stop token id (EOS
/// included — the caller lists it), at the first stop string, or after <see cref="MaxNewTokens"/> tokens.
/// </summary>
public sealed record SamplingOptions
{
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public int TopK { get; init; }
    public int MaxNewTokens { get; init; } = 256;
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    /// <summary>Reuse keys/values of earlier tokens (true) or recompute the whole prefix every step (benchmarks only).</summary>
    public bool UseKvCache { get; init; } = true;
    /// <summary>
    /// Steps between looks at the sampled tokens on the host (finish checks, stop strings, dropping finished
    /// rows). 1 stops rows at once; a larger value avoids a device→host copy every token on a GPU at the
    /// cost of a few wasted steps for finished rows.
    /// </summary>
    public int FinishCheckInterval { get; init; } = 1;
    /// <summary>Drop finished rows from the batch once the unfinished ones are at most this fraction of it.</summary>
    public double CompactBelowFraction { get; init; } = 0.75;
    /// <summary>
    /// Prompt + completion tokens a row's KV cache may hold in a static batch, for callers that bound it through
    /// <see cref="ContextBudget"/> (the pipeline's sampler ports): a prompt with no room for a new token is refused,
    /// a completion ends as <c>length</c> where the room ends. 0 = no bound (the generator sizes its cache to the
    /// longest prompt + <see cref="MaxNewTokens"/>). A continuous batcher's bound is its slot size.
    /// </summary>
    public int ContextTokens { get; init; }
    /// <summary>Who attends a decode step's queries to the cache: R1Actors' CPU kernel where it applies, or libtorch (see <see cref="DecodeAttentionPath"/>).</summary>
    public DecodeAttentionPath DecodeAttention { get; init; } = DecodeAttentionPath.Auto;

    public SamplingOptions Validated()
    {
        Require(Temperature >= 0 && double.IsFinite(Temperature), nameof(Temperature), "≥ 0 (0 = greedy)");
        Require(TopP > 0 && TopP <= 1, nameof(TopP), "in (0, 1]");
        Require(TopK >= 0, nameof(TopK), "≥ 0 (0 = off)");
        Require(MaxNewTokens > 0, nameof(MaxNewTokens), "> 0");
        Require(FinishCheckInterval > 0, nameof(FinishCheckInterval), "> 0");
        Require(CompactBelowFraction is >= 0 and <= 1, nameof(CompactBelowFraction), "in [0, 1]");
        Require(ContextTokens >= 0, nameof(ContextTokens), "≥ 0 (0 = no bound)");
        Require(StopStrings.All(s => s.Length > 0), nameof(StopStrings), "non-empty strings");
        return this;

        static void Require(bool ok, string name, string expected)
        {
            if (!ok)
                throw new ArgumentException($"sampling option {name} must be {expected}.", name);
        }
    }
}
