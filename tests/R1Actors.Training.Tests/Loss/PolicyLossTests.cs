using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Loss;

public class PolicyLossTests
{
    // One completion of three tokens whose ratios π_θ/π_behaviour are 1, 1.5 and 0.5, each token weighted 1/3.
    private static (Tensor LogProbs, LossInputs Batch) ThreeTokens(double advantage, Tensor? reference = null, Tensor? entropy = null)
    {
        var behaviour = tensor(new[] { Math.Log(0.4), Math.Log(0.2), Math.Log(0.6) }, [1, 3], ScalarType.Float64);
        var logProbs = (behaviour + tensor(new[] { 0.0, Math.Log(1.5), Math.Log(0.5) }, [1, 3], ScalarType.Float64))
            .detach().requires_grad_(true);
        var batch = new LossInputs(
            logProbs,
            behaviour,
            tensor(new[] { advantage }, [1, 1], ScalarType.Float64),
            full(1, 3, 1.0 / 3, ScalarType.Float64),
            ones(1, 3, ScalarType.Float64),
            reference,
            entropy ?? zeros(1, 3, ScalarType.Float64));
        return (logProbs, batch);
    }

    [Fact]
    public void Positive_advantage_clips_the_ratio_above_and_keeps_it_below()
    {
        using var scope = NewDisposeScope();
        var (logProbs, batch) = ThreeTokens(advantage: 1.0);
        var (loss, statistics) = new PolicyLoss(new PolicyLossSettings(0.2, 0.2)).Compute(batch);
        loss.backward();
        // per token −min(ρA, clip(ρ)A) = −[1, 1.2, 0.5]; the clipped middle token has no gradient, the others −ρA/3
        Assert.Equal(-(1 + 1.2 + 0.5) / 3, loss.ToDouble(), 12);
        Close.Elements([-1.0 / 3, 0.0, -0.5 / 3], logProbs.grad!);
        Assert.Equal(1.0, statistics.ClippedHigh);
        Assert.Equal(0.0, statistics.ClippedLow);
        Assert.Equal(3.0, statistics.Tokens);
        Assert.Equal(3.0, statistics.Ratio, 12);
    }

    [Fact]
    public void Negative_advantage_clips_the_ratio_below_and_keeps_it_above()
    {
        using var scope = NewDisposeScope();
        var (logProbs, batch) = ThreeTokens(advantage: -1.0);
        var (loss, statistics) = new PolicyLoss(new PolicyLossSettings(0.2, 0.2)).Compute(batch);
        loss.backward();
        // −min(−ρ, −clip(ρ)) = [1, 1.5, 0.8]; the last token sits below 1 − ε_low and is clipped
        Assert.Equal((1 + 1.5 + 0.8) / 3, loss.ToDouble(), 12);
        Close.Elements([1.0 / 3, 1.5 / 3, 0.0], logProbs.grad!);
        Assert.Equal(1.0, statistics.ClippedLow);
        Assert.Equal(0.0, statistics.ClippedHigh);
    }

    [Fact]
    public void Clip_higher_widens_only_the_upper_range()
    {
        using var scope = NewDisposeScope();
        var (logProbs, batch) = ThreeTokens(advantage: 1.0);
        var (loss, statistics) = new PolicyLoss(new PolicyLossSettings(ClipLow: 0.2, ClipHigh: 0.6)).Compute(batch);
        loss.backward();
        Assert.Equal(-(1 + 1.5 + 0.5) / 3, loss.ToDouble(), 12);
        Assert.Equal(0.0, statistics.ClippedHigh);
        Assert.Equal(-1.5 / 3, logProbs.grad![0, 1].ToDouble(), 12);
    }

    [Fact]
    public void K3_penalty_to_the_reference_is_added_with_beta_and_its_gradient()
    {
        using var scope = NewDisposeScope();
        // reference = log π_θ + ln 0.5 on every token: k3 = 0.5 − ln 0.5 − 1 ≈ 0.19315, ∂k3/∂log π_θ = 1 − 0.5
        var (logProbs, batch) = ThreeTokens(advantage: 0.0);
        batch = batch with { ReferenceLogProbs = logProbs.detach() + Math.Log(0.5) };
        var (loss, statistics) = new PolicyLoss(new PolicyLossSettings(KlBeta: 0.1)).Compute(batch);
        loss.backward();
        var k3 = 0.5 - Math.Log(0.5) - 1;
        Assert.Equal(0.1 * k3, loss.ToDouble(), 12);
        Assert.All(logProbs.grad!.data<double>().ToArray(), g => Assert.Equal(0.1 * 0.5 / 3, g, 12));
        Assert.Equal(3 * k3, statistics.KlReference, 12);
    }

    [Fact]
    public void Entropy_bonus_lowers_the_loss_by_its_coefficient()
    {
        using var scope = NewDisposeScope();
        var (_, batch) = ThreeTokens(advantage: 0.0, entropy: full(1, 3, 2.0, ScalarType.Float64));
        var (loss, statistics) = new PolicyLoss(new PolicyLossSettings(EntropyCoefficient: 0.01)).Compute(batch);
        Assert.Equal(-0.01 * 2.0, loss.ToDouble(), 12);
        Assert.Equal(6.0, statistics.Entropy, 12);
    }

    [Fact]
    public void Padding_tokens_neither_count_nor_contribute()
    {
        using var scope = NewDisposeScope();
        var (logProbs, batch) = ThreeTokens(advantage: 1.0);
        var mask = tensor(new[] { 1.0, 1.0, 0.0 }, [1, 3], ScalarType.Float64);
        batch = batch with { Mask = mask, TokenWeights = batch.TokenWeights * mask };
        var (loss, statistics) = new PolicyLoss(new PolicyLossSettings()).Compute(batch);
        loss.backward();
        Assert.Equal(-(1 + 1.2) / 3, loss.ToDouble(), 12);
        Assert.Equal(0.0, logProbs.grad![0, 2].ToDouble());
        Assert.Equal(2.0, statistics.Tokens);
    }

    [Fact]
    public void Kl_penalty_without_reference_log_probs_is_an_error()
    {
        using var scope = NewDisposeScope();
        var (_, batch) = ThreeTokens(advantage: 1.0);
        var error = Assert.Throws<ArgumentException>(() => new PolicyLoss(new PolicyLossSettings(KlBeta: 0.04)).Compute(batch));
        Assert.Contains("reference", error.Message);
    }

    [Fact]
    public void Out_of_range_clip_is_rejected_with_its_key()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyLoss(new PolicyLossSettings(ClipLow: 1.5)));
        Assert.Contains("r1.training.algorithm.clip-low", error.Message);
    }
}
