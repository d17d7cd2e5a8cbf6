using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Support;

internal static class Close
{
    /// <summary>Asserts every element of <paramref name="actual"/> equals <paramref name="expected"/> within 10⁻ᵖʳᵉᶜⁱˢⁱᵒⁿ.</summary>
    public static void Elements(double[] expected, Tensor actual, int precision = 12)
    {
        var values = actual.detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) < Math.Pow(10, -precision), $"element {i}: expected {expected[i]}, got {values[i]}");
    }
}
