using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Training.Learning;

/// <summary>
/// Teacher-forced scores of the completion tokens of a collated micro-batch under a model:
/// log π(token) and the entropy of π at each completion position, both (B, C) in the loss dtype.
/// </summary>
/// <summary>Whether the entropy is computed, and whether the loss differentiates through it.</summary>
internal enum EntropyMode
{
    None,
    Detached,
    WithGradient,
}

internal static class CompletionScores
{
    /// <summary>
    /// Runs the model over the micro-batch. The log-softmax is taken only over the C completion columns of the
    /// logits, in float32 (float64 when the model runs in float64), whatever the model's own dtype.
    /// </summary>
    public static (Tensor LogProbs, Tensor? Entropy) Compute(ICausalLanguageModel model, CollatedBatch batch, ScalarType lossType, EntropyMode entropyMode)
    {
        var logits = model.Forward(batch.InputIds, batch.AttentionMask);                              // (B, P + C − 1, V)
        var completionLogits = logits.narrow(1, batch.PromptWidth - 1, batch.CompletionWidth);        // (B, C, V)
        var logSoftmax = completionLogits.to_type(lossType).log_softmax(-1);                           // (B, C, V)
        var logProbs = logSoftmax.gather(-1, batch.Targets.unsqueeze(-1)).squeeze(-1);                 // (B, C)
        if (entropyMode == EntropyMode.None)
            return (logProbs, null);
        var withGradient = entropyMode == EntropyMode.WithGradient;
        using (withGradient ? null : no_grad())
        {
            var source = withGradient ? logSoftmax : logSoftmax.detach();
            return (logProbs, -(source.exp() * source).sum(-1));                                       // (B, C)
        }
    }
}
