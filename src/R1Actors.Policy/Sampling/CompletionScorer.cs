using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>Per-token log-probabilities and entropies of completions, (B, C) float32, zero at padding.</summary>
public sealed record CompletionScores(Tensor LogProbs, Tensor Entropy) : IDisposable
{
    public void Dispose()
    {
        LogProbs.Dispose();
        Entropy.Dispose();
    }
}

/// <summary>
/// Teacher-forced scoring, the learner's view of the policy: feed prompt + completion in one pass and read,
/// for every completion token, log π(token | prefix) and the entropy of π(· | prefix), where π is the
/// softmax of logits / temperature — the same distribution the sampler reports log-probs for, so that the
/// two agree to float rounding with the same weights.
/// </summary>
public static class CompletionScorer
{
    /// <param name="promptIds">(B, P) int64, left-padded.</param>
    /// <param name="promptMask">(B, P), 1 real / 0 padding.</param>
    /// <param name="completionIds">(B, C) int64, right-padded.</param>
    /// <param name="completionMask">(B, C), 1 real / 0 padding.</param>
    /// <param name="withGrad">Keep the autograd graph (the loss); false scores under no_grad.</param>
    public static CompletionScores Score(ICausalLanguageModel model, Tensor promptIds, Tensor promptMask,
        Tensor completionIds, Tensor completionMask, double temperature = 1.0, bool withGrad = false)
    {
        if (temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        if (promptIds.shape[1] < 1 || completionIds.shape[1] < 1)
            throw new ArgumentException(
                $"scoring needs at least one prompt and one completion column, got {promptIds.shape[1]} and {completionIds.shape[1]}");
        using var grad = withGrad ? enable_grad() : no_grad();
        using var scope = NewDisposeScope();
        long promptLength = promptIds.shape[1], completionLength = completionIds.shape[1];
        // Token t of the completion is predicted at position P − 1 + t; the last token predicts nothing we need.
        var ids = cat([promptIds, completionIds], 1).narrow(1, 0, promptLength + completionLength - 1);
        var mask = cat([promptMask.to(promptIds.dtype), completionMask.to(promptIds.dtype)], 1)
            .narrow(1, 0, promptLength + completionLength - 1);
        var logits = model.Forward(ids, mask, promptLength - 1).to(ScalarType.Float32);   // (B, C, V)
        if (temperature != 1.0)
            logits = logits / temperature;
        var logProbsAll = logits.log_softmax(-1);                                            // (B, C, V)
        var real = completionMask.to(ScalarType.Bool);
        var logProbs = logProbsAll.gather(-1, completionIds.unsqueeze(-1)).squeeze(-1).masked_fill(real.logical_not(), 0);
        var entropy = (logProbsAll.exp() * logProbsAll).sum(-1).neg().masked_fill(real.logical_not(), 0);
        return new CompletionScores(logProbs.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }
}
