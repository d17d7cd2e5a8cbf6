using static TorchSharp.torch;

namespace R1Actors.Policy.Tests;

// Proves that the patched libLibTorchSharp loads on this machine and computes: if the build's ELF fix
// regressed, every test here fails at the first tensor.
public class TorchRuntimeSmokeTests
{
    [Fact]
    public void Matrix_product_matches_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Linear_module_forward_and_backward_give_analytic_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var linear = nn.Linear(3, 2);
        var x = tensor(new float[] { 1, -2, 0.5f }, [1, 3]);
        var y = linear.forward(x);                     // (1, 2)
        var loss = y.pow(2).sum();
        loss.backward();
        // d/dW sum((Wx+b)^2) = 2 (Wx+b) xᵀ ; d/db = 2 (Wx+b)
        var expectedW = (2 * y.detach()).t().matmul(x);    // (2, 3)
        var expectedB = (2 * y.detach()).squeeze(0);      // (2)
        Assert.True(linear.weight!.grad!.allclose(expectedW, rtol: 1e-5, atol: 1e-6));
        Assert.True(linear.bias!.grad!.allclose(expectedB, rtol: 1e-5, atol: 1e-6));
    }
}
