using R1Actors.Training.Loss;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Objectives;

/// <summary>
/// <c>rft</c> and <c>sft</c>: filter-and-SFT. Only completions whose answer the verifier found correct train,
/// each with plain cross-entropy (maximum likelihood on its tokens); wrong ones contribute nothing, and a group
/// with no correct completion contributes nothing at all (no negative signal, unlike GRPO). For <c>rft</c> the
/// completions are the policy's own samples (rejection-sampling fine-tuning, STaR, ReST-EM); for <c>sft</c> they
/// are the traces of a file, every one marked correct by its reader.
/// <code>
/// keep  = { completion i : answer(i) is correct }         (advantage 1, so aggregation weighs only the kept)
/// ℓ     = −log π_θ(token) + β·k3(π_θ ‖ π_ref) − c_H·H(π_θ)   (KL and entropy terms only when configured)
/// loss  = Σ w·ℓ  over the kept tokens
/// </code>
/// Example: group rewards [1, 0, 0, 1] with sequence-mean aggregation → completions 0 and 3 train, each token of
/// completion i weighted 1 / (2 · nᵢ); [0, 0, 0, 0] → nothing from this group.
/// The importance ratio is reported (π_θ / π_behaviour, how far the policy moved since sampling) but not used.
/// </summary>
public sealed class VerifiedCrossEntropy(string name, PolicyLossSettings settings) : ITrainingObjective
{
    public string Name => name;

    public string NothingKeptReason => "no verified-correct completion in the batch (filter-and-SFT learns only from correct ones)";

    public double?[] Advantages(ScoredGroup group, IReadOnlyList<double> shapedRewards) =>
        [.. group.Completions.Select(c => c.Reward.Correct ? 1.0 : (double?)null)];

    public (Tensor Loss, LossStatistics Statistics) Compute(LossInputs batch)
    {
        var perToken = PolicyLoss.WithRegularisers(-batch.LogProbs, batch, settings, out var referenceKl);              // (B, C)
        var loss = (perToken * batch.TokenWeights).sum();
        return (loss, Statistics(batch, referenceKl));
    }

    private static LossStatistics Statistics(LossInputs batch, Tensor? referenceKl)
    {
        using var noGrad = no_grad();
        var mask = batch.Mask;
        var logRatio = (batch.LogProbs - batch.BehaviourLogProbs).clamp(-PolicyLoss.MaxLogRatio, PolicyLoss.MaxLogRatio);       // (B, C)
        var ratio = logRatio.exp();
        return new LossStatistics(
            Tokens: mask.sum().ToDouble(),
            ClippedLow: 0.0,
            ClippedHigh: 0.0,
            ApproxKlToBehaviour: ((ratio - 1.0 - logRatio) * mask).sum().ToDouble(),
            KlReference: referenceKl is null ? 0.0 : (referenceKl * mask).sum().ToDouble(),
            Entropy: (batch.Entropy * mask).sum().ToDouble(),
            Ratio: (ratio * mask).sum().ToDouble());
    }
}
