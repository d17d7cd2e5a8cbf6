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
        var (tokenLogProbs, tokenEntropy) = TokenScores(model.Forward(ids, mask, promptLength - 1), completionIds, temperature);   // (B, C)
        var padding = completionMask.to(ScalarType.Bool).logical_not();
        var logProbs = tokenLogProbs.masked_fill(padding, 0);
        var entropy = tokenEntropy.masked_fill(padding, 0);
        return new CompletionScores(logProbs.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Logits (…, V) and the tokens they predict (…) → log π(token) and the entropy of π, (…) each, with π the softmax of
    /// logits / temperature computed in float32: the one definition both the padded and the packed scorer use.
    /// </summary>
    private static (Tensor LogProbs, Tensor Entropy) TokenScores(Tensor logits, Tensor targets, double temperature)
    {
        logits = logits.to(ScalarType.Float32);
        if (temperature != 1.0)
            logits = logits / temperature;
        var logProbsAll = logits.log_softmax(-1);                                            // (…, V)
        return (logProbsAll.gather(-1, targets.unsqueeze(-1)).squeeze(-1), (logProbsAll.exp() * logProbsAll).sum(-1).neg());
    }

    /// <summary>
    /// The same scores as <see cref="Score"/>, (B, C) with C the longest completion, computed on the sequences
    /// packed back to back (<see cref="PackedSequences"/>): no padded position goes through the model, and the
    /// output head and softmax run on the N real completion tokens alone, whose results are then put in place.
    /// A row's scores equal the padded path's to float rounding (a test compares the gradients).
    /// </summary>
    /// <param name="prompts">Each row's prompt ids (≥ 1 token).</param>
    /// <param name="completions">Each row's completion ids; an empty completion scores nothing.</param>
    public static CompletionScores ScorePacked(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts,
        IReadOnlyList<IReadOnlyList<int>> completions, Device device, double temperature = 1.0, bool withGrad = false,
        int blockTokens = PackedSequences.DefaultBlockTokens)
    {
        if (temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        if (prompts.Count != completions.Count)
            throw new ArgumentException($"{prompts.Count} prompts but {completions.Count} completions", nameof(completions));
        long rows = prompts.Count, width = Math.Max(1, completions.Max(c => c.Count));
        // Sequence r is its prompt and completion but the last token (which predicts nothing scored); completion
        // token t is predicted at packed position offset + P − 1 + t and lands at (r, t) of the (B, C) result.
        var scored = Enumerable.Range(0, prompts.Count).Where(r => completions[r].Count > 0).ToArray();
        using var grad = withGrad ? enable_grad() : no_grad();
        using var scope = NewDisposeScope();
        var logProbs = zeros(rows * width, ScalarType.Float32, device);
        var entropy = zeros(rows * width, ScalarType.Float32, device);
        if (scored.Length > 0)
        {
            foreach (var r in scored.Where(r => prompts[r].Count == 0))
                throw new ArgumentException($"row {r}: the prompt has no tokens (the first completion token needs one to be predicted from)", nameof(prompts));
            using var packed = PackedSequences.Pack(
                [.. scored.Select(r => (IReadOnlyList<int>)[.. prompts[r], .. completions[r].Take(completions[r].Count - 1)])], device, blockTokens);
            var positions = new List<long>();
            var targets = new List<long>();
            var places = new List<long>();
            for (var i = 0; i < scored.Length; i++)
            {
                var r = scored[i];
                for (var t = 0; t < completions[r].Count; t++)
                {
                    positions.Add(packed.Offsets[i] + prompts[r].Count - 1 + t);
                    targets.Add(completions[r][t]);
                    places.Add(r * width + t);
                }
            }
            var (tokenLogProbs, tokenEntropy) = TokenScores(model.ForwardPacked(packed, tensor(positions.ToArray(), device: device)),
                tensor(targets.ToArray(), device: device), temperature);                                                  // (N)
            var index = tensor(places.ToArray(), device: device);
            logProbs = logProbs.index_copy(0, index, tokenLogProbs);
            entropy = entropy.index_copy(0, index, tokenEntropy);
        }
        return new CompletionScores(logProbs.view(rows, width).MoveToOuterDisposeScope(), entropy.view(rows, width).MoveToOuterDisposeScope());
    }
}
