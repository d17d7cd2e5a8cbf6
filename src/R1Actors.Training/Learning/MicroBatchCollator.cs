using static TorchSharp.torch;

namespace R1Actors.Training.Learning;

/// <summary>
/// The tensors of one micro-batch. Rows are [left padding | prompt | completion | right padding], so every
/// completion starts at column P (the widest prompt) and the logits that predict completion tokens are the
/// C columns from P − 1: the log-softmax only ever runs over those (B, C, V), never over the prompt.
/// The last column is never fed to the model (nothing after it is predicted).
/// </summary>
/// <param name="InputIds">(B, P + C − 1) int64 token ids, padding 0.</param>
/// <param name="AttentionMask">(B, P + C − 1) int64, 1 on real tokens.</param>
/// <param name="PromptWidth">P: the column of the first completion token.</param>
/// <param name="Targets">(B, C) int64 completion token ids.</param>
/// <param name="Mask">(B, C) 1 on completion tokens, 0 on padding.</param>
/// <param name="BehaviourLogProbs">(B, C) sampler log-probs, 0 on padding.</param>
/// <param name="Advantages">(B, 1).</param>
/// <param name="TokenWeights">(B, C) aggregation weight, 0 on padding.</param>
internal sealed record CollatedBatch(
    Tensor InputIds,
    Tensor AttentionMask,
    int PromptWidth,
    Tensor Targets,
    Tensor Mask,
    Tensor BehaviourLogProbs,
    Tensor Advantages,
    Tensor TokenWeights)
{
    public int CompletionWidth => (int)Targets.shape[1];
}

internal static class MicroBatchCollator
{
    /// <summary>Builds the tensors on <paramref name="device"/>; float tensors in <paramref name="lossType"/>.</summary>
    public static CollatedBatch Collate(IReadOnlyList<TrainingSample> samples, Device device, ScalarType lossType)
    {
        var rows = samples.Count;
        var promptWidth = samples.Max(s => s.PromptIds.Count);
        var completionWidth = Math.Max(1, samples.Max(s => s.CompletionIds.Count));
        var width = promptWidth + completionWidth;
        var ids = new long[rows * width];
        var attention = new long[rows * width];
        var targets = new long[rows * completionWidth];
        var mask = new double[rows * completionWidth];
        var behaviour = new double[rows * completionWidth];
        var weights = new double[rows * completionWidth];
        var advantages = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var sample = samples[r];
            var promptStart = r * width + promptWidth - sample.PromptIds.Count;
            for (var i = 0; i < sample.PromptIds.Count; i++)
            {
                ids[promptStart + i] = sample.PromptIds[i];
                attention[promptStart + i] = 1;
            }
            for (var i = 0; i < sample.CompletionIds.Count; i++)
            {
                var column = r * width + promptWidth + i;
                var token = r * completionWidth + i;
                ids[column] = targets[token] = sample.CompletionIds[i];
                attention[column] = 1;
                mask[token] = 1.0;
                behaviour[token] = sample.BehaviourLogProbs[i];
                weights[token] = sample.TokenWeight;
            }
            advantages[r] = sample.Advantage;
        }
        var fullIds = tensor(ids, [rows, width], ScalarType.Int64, device);
        var fullMask = tensor(attention, [rows, width], ScalarType.Int64, device);
        return new CollatedBatch(
            InputIds: fullIds.narrow(1, 0, width - 1),
            AttentionMask: fullMask.narrow(1, 0, width - 1),
            PromptWidth: promptWidth,
            Targets: tensor(targets, [rows, completionWidth], ScalarType.Int64, device),
            Mask: tensor(mask, [rows, completionWidth], lossType, device),
            BehaviourLogProbs: tensor(behaviour, [rows, completionWidth], lossType, device),
            Advantages: tensor(advantages, [rows, 1], lossType, device),
            TokenWeights: tensor(weights, [rows, completionWidth], lossType, device));
    }
}
