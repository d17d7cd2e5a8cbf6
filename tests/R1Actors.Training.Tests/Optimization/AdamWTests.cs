using R1Actors.Training.Optimization;
using R1Actors.Training.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Optimization;

public class AdamWTests
{
    private static Parameter Weights(double[] values, long[] shape, ScalarType dtype = ScalarType.Float64) =>
        new(tensor(values, shape, ScalarType.Float64).to_type(dtype));

    /// <summary>Makes ∂/∂w of (w · direction).sum() = direction land in w.grad.</summary>
    private static void Backward(Parameter weights, double[] direction)
    {
        using var scope = NewDisposeScope();
        (weights * tensor(direction, weights.shape, ScalarType.Float64).to_type(weights.dtype)).sum().backward();
    }

    [Fact]
    public void Two_steps_match_the_update_computed_by_hand()
    {
        var w = Weights([1.0, -2.0], [2]);
        using var adam = new AdamWOptimizer([("w", w)], new AdamWSettings(Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, MaxGradNorm: 0));
        double[] g1 = [0.5, -4.0], g2 = [1.0, 1.0];
        Backward(w, g1);
        adam.AccumulateGradients();
        adam.Step(0.1, 1.0);
        Backward(w, g2);
        adam.AccumulateGradients();
        adam.Step(0.1, 1.0);

        for (var i = 0; i < 2; i++)
        {
            double weight = i == 0 ? 1.0 : -2.0, m = 0, v = 0;
            foreach (var (g, t) in new[] { (g1[i], 1), (g2[i], 2) })
            {
                m = 0.9 * m + 0.1 * g;
                v = 0.999 * v + 0.001 * g * g;
                var mHat = m / (1 - Math.Pow(0.9, t));
                var vHat = v / (1 - Math.Pow(0.999, t));
                weight -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            Assert.Equal(weight, w[i].ToDouble(), 12);
        }
        Assert.Equal(2, adam.StepsApplied);
    }

    [Fact]
    public void Steps_agree_with_the_torch_implementation_of_AdamW()
    {
        manual_seed(3);
        var ours = new Parameter(randn(4, 3, dtype: ScalarType.Float64));
        var theirs = new Parameter(ours.detach().clone());
        using var adam = new AdamWOptimizer([("w", ours)], new AdamWSettings(WeightDecay: 0.05, MaxGradNorm: 0));
        using var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.05);
        for (var step = 0; step < 5; step++)
        {
            var direction = randn(4, 3, dtype: ScalarType.Float64).data<double>().ToArray();
            Backward(ours, direction);
            adam.AccumulateGradients();
            adam.Step(0.01, 1.0);
            reference.zero_grad();
            Backward(theirs, direction);
            reference.step();
        }
        Assert.True(ours.allclose(theirs, rtol: 1e-10, atol: 1e-12), "our AdamW and torch's differ after 5 steps");
    }

    [Fact]
    public void Weight_decay_shrinks_matrices_but_not_vectors()
    {
        var matrix = Weights([1.0, 1.0, 1.0, 1.0], [2, 2]);
        var bias = Weights([1.0, 1.0], [2]);
        using var adam = new AdamWOptimizer([("matrix", matrix), ("bias", bias)], new AdamWSettings(WeightDecay: 0.1, MaxGradNorm: 0));
        Backward(matrix, [0, 0, 0, 0]);
        Backward(bias, [0, 0]);
        adam.AccumulateGradients();
        adam.Step(0.5, 1.0);
        Assert.Equal(0.95, matrix[0, 0].ToDouble(), 12);
        Assert.Equal(1.0, bias[0].ToDouble(), 12);
    }

    [Fact]
    public void Global_gradient_norm_covers_all_parameters_and_the_clip_scales_it_down_to_the_limit()
    {
        var a = Weights([0.0], [1]);
        var b = Weights([0.0, 0.0], [1, 2]);
        using var adam = new AdamWOptimizer([("a", a), ("b", b)], new AdamWSettings(MaxGradNorm: 1.0));
        Backward(a, [3.0]);
        Backward(b, [0.0, 4.0]);
        adam.AccumulateGradients();
        var norm = adam.GradientNorm();
        Assert.Equal(5.0, norm, 12);
        Assert.Equal(1.0 / (5.0 + 1e-6), adam.ClipScale(norm), 12);
        Assert.Equal(1.0, adam.ClipScale(0.5));
    }

    [Fact]
    public void Bfloat16_weights_move_by_steps_smaller_than_their_resolution_through_float32_master_weights()
    {
        // At 1.0, bfloat16 resolves steps of 2⁻⁷ ≈ 0.0078; each AdamWOptimizer step here moves the weight by ≈ 1e-4.
        var w = Weights([1.0, 1.0], [1, 2], ScalarType.BFloat16);
        using var adam = new AdamWOptimizer([("w", w)], new AdamWSettings(MaxGradNorm: 0));
        for (var step = 0; step < 100; step++)
        {
            Backward(w, [1.0, 1.0]);
            adam.AccumulateGradients();
            adam.Step(1e-4, 1.0);
        }
        var master = AdamWState.Tensors(adam)["master.w"];
        Assert.Equal(0.99, master[0, 0].ToDouble(), 4);
        Assert.Equal(ScalarType.BFloat16, w.dtype);
        Assert.True(ModuleTensors.BitEqual(w, master.to_type(ScalarType.BFloat16)));
        Assert.True(w[0, 0].to_type(ScalarType.Float32).ToDouble() < 1.0);
    }

    [Fact]
    public void Bfloat16_gradients_of_micro_batches_are_summed_in_float32()
    {
        var w = Weights([0.0, 0.0], [1, 2], ScalarType.BFloat16);
        using var adam = new AdamWOptimizer([("w", w)], new AdamWSettings(MaxGradNorm: 0));
        // 1 + 1/512 is not representable in bfloat16 (8 significant bits); the float32 sum keeps it.
        Backward(w, [1.0, 1.0]);
        adam.AccumulateGradients();
        Backward(w, [1.0 / 512, 0.0]);
        adam.AccumulateGradients();
        var norm = adam.GradientNorm();
        Assert.Equal(Math.Sqrt(Math.Pow(1 + 1.0 / 512, 2) + 1), norm, 6);
    }

    [Fact]
    public void Zeroing_gradients_forgets_the_step_so_nothing_moves()
    {
        var w = Weights([1.0, 2.0], [2]);
        using var adam = new AdamWOptimizer([("w", w)], new AdamWSettings());
        Backward(w, [1.0, 1.0]);
        adam.AccumulateGradients();
        adam.ZeroGradients();
        adam.Step(0.1, 1.0);
        Assert.Equal([1.0, 2.0], w.data<double>().ToArray());
    }
}
