using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Loss;

/// <summary>
/// Per-token tensors of one micro-batch, all (B, C) over the completion positions unless noted.
/// Padding and masked-out completions have weight 0.
/// </summary>
/// <param name="LogProbs">log π_θ(token), with gradient.</param>
/// <param name="BehaviourLogProbs">log π_behaviour(token) from the sampler.</param>
/// <param name="Advantages">(B, 1) one advantage per completion.</param>
/// <param name="TokenWeights">The aggregation weight of each token (see <see cref="ILossAggregation"/>); 0 off the mask.</param>
/// <param name="Mask">1 for trained completion tokens, 0 elsewhere.</param>
/// <param name="ReferenceLogProbs">log π_ref(token) from the frozen reference, when the KL penalty is on.</param>
/// <param name="Entropy">Entropy of π_θ at each position; with gradient when the entropy bonus is on.</param>
public sealed record LossInputs(
    Tensor LogProbs,
    Tensor BehaviourLogProbs,
    Tensor Advantages,
    Tensor TokenWeights,
    Tensor Mask,
    Tensor? ReferenceLogProbs,
    Tensor Entropy);

/// <summary>Sums over the masked tokens of one micro-batch, for the step's metrics (plain numbers, no graph).</summary>
public sealed record LossStatistics(
    double Tokens,
    double ClippedLow,
    double ClippedHigh,
    double ApproxKlToBehaviour,
    double KlReference,
    double Entropy,
    double Ratio);

/// <summary>
/// The clipped surrogate of PPO/GRPO per token, with separate lower and upper clip ranges, plus optional
/// k3 KL to a reference and an entropy bonus:
/// <code>
/// ρ = exp(log π_θ − log π_behaviour)          (log-ratio clamped to ±20 so one stale token cannot overflow)
/// ℓ = −min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A) + β·k3(π_θ ‖ π_ref) − c_H·H(π_θ)
/// k3 = exp(log π_ref − log π_θ) − (log π_ref − log π_θ) − 1   (Schulman's unbiased, non-negative estimator)
/// loss = Σ w·ℓ  over the trained tokens (w from the aggregation strategy)
/// </code>
/// Clip fractions count the tokens where clipping removed the gradient, as TRL reports them:
/// low = ρ &lt; 1 − ε_low with A &lt; 0, high = ρ &gt; 1 + ε_high with A &gt; 0.
/// </summary>
public sealed class PolicyLoss
{
    internal const double MaxLogRatio = 20.0;
    private readonly PolicyLossSettings _settings;

    public PolicyLoss(PolicyLossSettings settings)
    {
        settings.Validate();
        _settings = settings;
    }

    public PolicyLossSettings Settings => _settings;

    /// <summary>The scalar loss of the micro-batch (with gradient) and its statistics.</summary>
    public (Tensor Loss, LossStatistics Statistics) Compute(LossInputs batch)
    {
        var logRatio = (batch.LogProbs - batch.BehaviourLogProbs).clamp(-MaxLogRatio, MaxLogRatio);     // (B, C)
        var ratio = logRatio.exp();                                                                       // (B, C)
        var unclipped = ratio * batch.Advantages;
        var clipped = ratio.clamp(1.0 - _settings.ClipLow, 1.0 + _settings.ClipHigh) * batch.Advantages;
        var perToken = -minimum(unclipped, clipped);                                                      // (B, C)

        var loss = (WithRegularisers(perToken, batch, _settings, out var referenceKl) * batch.TokenWeights).sum();
        return (loss, Statistics(batch, ratio, logRatio, referenceKl));
    }

    /// <summary>
    /// ℓ + β·k3(π_θ ‖ π_ref) − c_H·H(π_θ) per token, each term only when configured; <paramref name="referenceKl"/> is
    /// k3 per token (B, C) whenever reference log-probs are given (reported even when β = 0), else null.
    /// Every objective adds its regularisers this way.
    /// </summary>
    public static Tensor WithRegularisers(Tensor perToken, LossInputs batch, PolicyLossSettings settings, out Tensor? referenceKl)
    {
        if (settings.UsesReference && batch.ReferenceLogProbs is null)
            throw new ArgumentException("the KL penalty is on (kl-beta > 0) but no reference log-probs were given", nameof(batch));
        referenceKl = null;
        if (batch.ReferenceLogProbs is { } reference)
        {
            var delta = (reference - batch.LogProbs).clamp(-MaxLogRatio, MaxLogRatio);
            referenceKl = delta.exp() - delta - 1.0;                                                      // (B, C)
            if (settings.UsesReference)
                perToken = perToken + settings.KlBeta * referenceKl;
        }
        if (settings.EntropyCoefficient != 0.0)
            perToken = perToken - settings.EntropyCoefficient * batch.Entropy;
        return perToken;
    }

    private LossStatistics Statistics(LossInputs batch, Tensor ratio, Tensor logRatio, Tensor? referenceKl)
    {
        using var noGrad = no_grad();
        var mask = batch.Mask;
        var advantages = batch.Advantages.expand_as(ratio);
        var low = (ratio < 1.0 - _settings.ClipLow).logical_and(advantages < 0).to_type(mask.dtype) * mask;
        var high = (ratio > 1.0 + _settings.ClipHigh).logical_and(advantages > 0).to_type(mask.dtype) * mask;
        // k3 of the behaviour policy against the current one: (ρ − 1) − log ρ ≥ 0, 0 when they agree.
        var behaviourKl = (ratio - 1.0 - logRatio) * mask;
        return new LossStatistics(
            Tokens: mask.sum().ToDouble(),
            ClippedLow: low.sum().ToDouble(),
            ClippedHigh: high.sum().ToDouble(),
            ApproxKlToBehaviour: behaviourKl.sum().ToDouble(),
            KlReference: referenceKl is null ? 0.0 : (referenceKl * mask).sum().ToDouble(),
            Entropy: (batch.Entropy * mask).sum().ToDouble(),
            Ratio: (ratio * mask).sum().ToDouble());
    }
}
