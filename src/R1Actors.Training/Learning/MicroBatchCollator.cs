using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Training.Learning;

/// <summary>
/// The tensors of one micro-batch: prompts left-padded and completions right-padded (the layout
/// <see cref="CompletionScorer"/> scores), and the per-token inputs of the loss, all (B, C) over the
/// completion columns. Dispose it to free the padded id tensors.
/// </summary>
/// <param name="Prompts">(B, P) prompt ids and mask, left-padded.</param>
/// <param name="Completions">(B, C) completion ids and mask, right-padded.</param>
/// <param name="Mask">(B, C) 1 on completion tokens, 0 on padding, in the loss dtype.</param>
/// <param name="BehaviourLogProbs">(B, C) sampler log-probs, 0 on padding.</param>
/// <param name="Advantages">(B, 1).</param>
/// <param name="TokenWeights">(B, C) aggregation weight, 0 on padding.</param>
internal sealed record CollatedBatch(
    TokenBatch Prompts,
    TokenBatch Completions,
    Tensor Mask,
    Tensor BehaviourLogProbs,
    Tensor Advantages,
    Tensor TokenWeights) : IDisposable
{
    public void Dispose()
    {
        Prompts.Dispose();
        Completions.Dispose();
    }
}

internal static class MicroBatchCollator
{
    /// <summary>The float tensors of the loss are float32; the padding id is never seen (masked everywhere).</summary>
    public const ScalarType LossType = ScalarType.Float32;

    /// <summary>Builds the tensors on <paramref name="device"/>.</summary>
    public static CollatedBatch Collate(IReadOnlyList<TrainingSample> samples, Device device)
    {
        var rows = samples.Count;
        var width = Math.Max(1, samples.Max(s => s.CompletionIds.Count));
        var mask = new float[rows * width];
        var behaviour = new float[rows * width];
        var weights = new float[rows * width];
        var advantages = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var sample = samples[r];
            for (var i = 0; i < sample.CompletionIds.Count; i++)
            {
                mask[r * width + i] = 1f;
                behaviour[r * width + i] = sample.BehaviourLogProbs[i];
                weights[r * width + i] = (float)sample.TokenWeight;
            }
            advantages[r] = (float)sample.Advantage;
        }
        return new CollatedBatch(
            TokenBatch.LeftPadded(samples.Select(s => s.PromptIds).ToArray(), padId: 0, device),
            TokenBatch.RightPadded(samples.Select(s => s.CompletionIds).ToArray(), padId: 0, device),
            tensor(mask, [rows, width], LossType, device),
            tensor(behaviour, [rows, width], LossType, device),
            tensor(advantages, [rows, 1], LossType, device),
            tensor(weights, [rows, width], LossType, device));
    }
}
