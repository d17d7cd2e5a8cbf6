using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>One sampling step for R rows: logits (R, V) and one uniform draw per row (R) → chosen tokens.</summary>
/// <remarks>
/// Every chooser reports <c>LogProbs</c> = log softmax(logits / T) at the chosen token — the distribution the
/// learner recomputes (<see cref="CompletionScorer"/> with the same temperature) — and <c>FilteredLogProbs</c>,
/// the log-probability under the truncated distribution actually sampled from (equal when nothing is cut).
/// </remarks>
internal interface ITokenChooser
{
    (Tensor Tokens, Tensor LogProbs, Tensor FilteredLogProbs) Choose(Tensor logits, Tensor uniforms);
}

internal static class TokenChoosers
{
    public static ITokenChooser For(SamplingOptions options) => options switch
    {
        { Temperature: 0 } => new GreedyChooser(),
        { TopK: 0, TopP: >= 1 } => new FullDistributionChooser(options.Temperature),
        _ => new TruncatedChooser(options.Temperature, options.TopK, options.TopP),
    };

    /// <summary>Inverse-CDF draw: the first index whose cumulative weight reaches u · total. (R, K) weights, (R) u → (R).</summary>
    public static Tensor Draw(Tensor weights, Tensor uniforms)
    {
        var cdf = weights.cumsum(-1);                                            // (R, K)
        var target = uniforms.unsqueeze(-1) * cdf.narrow(-1, cdf.shape[1] - 1, 1);
        return searchsorted(cdf, target).squeeze(-1).clamp_max(cdf.shape[1] - 1);
    }
}

/// <summary>Temperature 0: the most likely token; log-probs are those of the untempered distribution.</summary>
internal sealed class GreedyChooser : ITokenChooser
{
    public (Tensor, Tensor, Tensor) Choose(Tensor logits, Tensor uniforms)
    {
        var tokens = logits.argmax(-1);
        var logProbs = logits.log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
        return (tokens, logProbs, zeros_like(logProbs));
    }
}

/// <summary>Plain sampling from softmax(logits / T).</summary>
internal sealed class FullDistributionChooser(double temperature) : ITokenChooser
{
    public (Tensor, Tensor, Tensor) Choose(Tensor logits, Tensor uniforms)
    {
        var logProbsAll = (logits / temperature).log_softmax(-1);                 // (R, V)
        var tokens = TokenChoosers.Draw(logProbsAll.exp(), uniforms);
        var logProbs = logProbsAll.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
        return (tokens, logProbs, logProbs);
    }
}

/// <summary>
/// Top-k and/or top-p (nucleus): keep the k most likely tokens (all when k = 0), then the smallest prefix of
/// them, by falling probability, whose mass reaches p (always at least one), renormalise and draw.
/// </summary>
internal sealed class TruncatedChooser(double temperature, int topK, double topP) : ITokenChooser
{
    public (Tensor, Tensor, Tensor) Choose(Tensor logits, Tensor uniforms)
    {
        var logProbsAll = (logits / temperature).log_softmax(-1);                 // (R, V)
        var vocab = (int)logits.shape[1];
        var (sortedLogProbs, sortedTokens) = topK > 0 && topK < vocab
            ? logProbsAll.topk(topK)
            : logProbsAll.sort(-1, descending: true);                           // (R, K)
        var probs = sortedLogProbs.exp();
        if (topP < 1)
        {
            // Keep token i while the mass before it is below p: the first token is always kept.
            var before = probs.cumsum(-1) - probs;
            probs = probs.masked_fill(before >= topP * probs.sum(-1, keepdim: true), 0);
        }
        var index = TokenChoosers.Draw(probs, uniforms).unsqueeze(-1);         // (R, 1)
        var tokens = sortedTokens.gather(-1, index).squeeze(-1);
        var logProbs = logProbsAll.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
        var keptMass = probs.sum(-1);
        return (tokens, logProbs, logProbs - keptMass.log());
    }
}
