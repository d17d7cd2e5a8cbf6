using R1Actors.Training.Advantages;
using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Learning;

/// <summary>The gradient the learner computes, checked against a derivation by hand and finite differences.</summary>
public class LearnerGradientTests
{
    [Fact]
    public void On_policy_gradient_matches_the_hand_derivation_on_a_bigram_policy()
    {
        using var scope = NewDisposeScope();
        using var model = new BigramModel(vocab: 5);
        using var learner = new Learner(model, Settings.Learner(advantages: new DrGrpoAdvantages()));
        // prompt [0]; completion [1, 3] scores 1, completion [2] scores 0 → Dr. GRPO advantages ±0.5;
        // token-mean weights 1/3. At ratio 1, ∂ℓ/∂ table[a] = −w·A·(onehot(b) − softmax(table[a])) per token a→b.
        var group = Groups.OnPolicy(model, [0], ([1, 3], 1.0), ([2], 0.0));
        var pass = learner.Backward(Groups.Batch([group]));
        Assert.Null(pass.Failure);

        var p1 = softmax(model.Table[1].detach(), 0).data<double>().ToArray();
        var grad = model.Table.grad!;
        Close.Elements([0, -1.0 / 6, 1.0 / 6, 0, 0], grad[0], precision: 6);            // row 0: (e₂ − e₁)/6, softmax cancels
        Close.Elements(Enumerable.Range(0, 5).Select(j => -(1.0 / 6) * ((j == 3 ? 1 : 0) - p1[j])).ToArray(), grad[1], precision: 6);
        Close.Elements(new double[5], grad[2], precision: 12);                          // nothing is predicted from token 2
    }

    [Fact]
    public void Off_policy_gradient_with_clipping_kl_and_entropy_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        using var model = new BigramModel(vocab: 4, seed: 2);
        using var reference = new BigramModel(vocab: 4, seed: 3);
        var settings = Settings.Learner(
            aggregation: new SequenceMeanAggregation(),
            loss: new PolicyLossSettings(ClipLow: 0.2, ClipHigh: 0.28, KlBeta: 0.1, EntropyCoefficient: 0.05));
        using var learner = new Learner(model, settings, reference);
        // Behaviour log-probs shifted by ±0.5 put ratios at e^∓0.5 (0.61, 1.65): clipped or not depending on
        // the advantage's sign, far from the clip boundaries so a small perturbation crosses no kink.
        ScoredRollout Shifted(int[] ids, double reward, float shift) =>
            Groups.Completion(ids, reward, Groups.LogProbs(model, [0, 2], ids).Select((l, i) => l + (i % 2 == 0 ? shift : -shift)).ToArray());
        var batch = Groups.Batch([Groups.Of([0, 2], [Shifted([1, 3, 2], 1.0, 0.5f), Shifted([3], 0.0, -0.5f), Shifted([2, 2], 0.5, 0.5f)])]);

        learner.Backward(batch);
        var analytic = model.Table.grad!.detach().clone();
        learner.Optimizer.ZeroGradients();

        // The policy scores in float32, so the step is large enough for float32 rounding (~1e-7 on the loss)
        // to stay far below the tolerance, and small enough for the curvature error to do the same.
        const double h = 1e-3;
        foreach (var (row, column) in new[] { (0, 1), (0, 3), (2, 1), (2, 2), (1, 3), (3, 2) })
        {
            var plus = LossWithEntry(learner, model, batch, row, column, +h);
            var minus = LossWithEntry(learner, model, batch, row, column, -h);
            var numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[row, column].ToDouble()) < 2e-4,
                $"table[{row}, {column}]: finite difference {numeric}, autograd {analytic[row, column].ToDouble()}");
        }
    }

    private static double LossWithEntry(Learner learner, BigramModel model, LearnerBatch batch, int row, int column, double delta)
    {
        using (no_grad())
            model.Table[row, column].add_(delta);
        var loss = learner.Backward(batch).Totals.Loss;
        learner.Optimizer.ZeroGradients();
        using (no_grad())
            model.Table[row, column].sub_(delta);
        return loss;
    }

    [Theory]
    [InlineData("sequence-mean")]
    [InlineData("token-mean")]
    [InlineData("constant")]
    public void Splitting_the_batch_into_micro_batches_leaves_the_gradient_unchanged(string aggregationName)
    {
        using var scope = NewDisposeScope();
        ILossAggregation aggregation = aggregationName switch
        {
            "sequence-mean" => new SequenceMeanAggregation(),
            "token-mean" => new TokenMeanAggregation(),
            _ => new ConstantNormaliserAggregation(16),
        };
        var gradients = new[] { 1, 64 }.Select(size =>
        {
            using var model = new TinyDecoder(dtype: ScalarType.Float64);
            using var learner = new Learner(model, Settings.Learner(aggregation: aggregation, microBatchSize: size));
            var batch = Groups.Batch([
                Groups.Of([1, 2, 3], [Groups.Completion([4, 5, 6, 7], 1.0), Groups.Completion([4], 0.0), Groups.Completion([5, 5], 0.2)]),
                Groups.Of([6], [Groups.Completion([1, 2], 0.0), Groups.Completion([3, 3, 3, 3, 3], 1.0)]),
            ]);
            var pass = learner.Backward(batch);
            Assert.Equal(size == 1 ? 5 : 1, pass.MicroBatches);
            return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
        }).ToArray();
        foreach (var (name, gradient) in gradients[0])
            Assert.True(gradient.allclose(gradients[1][name], rtol: 1e-4, atol: 1e-6), $"{name} differs between micro-batch sizes: max |Δ| {(gradient - gradients[1][name]).abs().max().ToDouble()}, max |g| {gradient.abs().max().ToDouble()}");
    }

    [Fact]
    public void Masked_truncated_completions_contribute_nothing_to_the_gradient()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyDecoder(dtype: ScalarType.Float64);
        using var learner = new Learner(model, Settings.Learner(truncation: new MaskTruncated()));
        Tensor GradientWithTruncated(int[] ids)
        {
            var batch = Groups.Batch([Groups.Of([1], [
                Groups.Completion([2, 3], 1.0),
                Groups.Completion([4], 0.0),
                Groups.Completion(ids, 0.0, truncated: true)])]);
            var pass = learner.Backward(batch);
            Assert.Equal(3.0, pass.Totals.Tokens);
            var grad = model.named_parameters().First().parameter.grad!.detach().clone();
            learner.Optimizer.ZeroGradients();
            return grad;
        }
        Assert.True(GradientWithTruncated([5, 5, 5]).equal(GradientWithTruncated([7, 1, 6, 2])).all().item<bool>());
    }
}
