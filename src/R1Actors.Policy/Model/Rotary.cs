using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// Rotary position embedding in Hugging Face's "rotate_half" convention: dimension i is paired with
/// i + D/2 (not with its neighbour), θ_i = rope_theta^(−2i/D), both halves share the frequency list
/// (emb = cat(freqs, freqs)). Positions come from the attention mask, so padding never shifts them.
/// </summary>
internal sealed class Rotary
{
    private readonly Tensor inverseFrequencies;   // (D/2) float32

    public Rotary(ModelConfig config, Device device)
    {
        using var scope = NewDisposeScope();
        // As HF: 1 / base^(arange(0, D, 2) / D), computed in float32.
        var exponents = arange(0, config.HeadDim, 2, ScalarType.Int64, device).to(ScalarType.Float32) / config.HeadDim;
        var baseFrequencies = pow(tensor((float)config.RopeTheta, ScalarType.Float32, device), exponents).reciprocal();
        inverseFrequencies = config.RopeScaling.Scale(baseFrequencies).detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (B, T) int64 positions → cos and signed sin, each (B, T, 1, D) in <paramref name="dtype"/>: cos = (cos θ, cos θ),
    /// signed sin = (−sin θ, sin θ), so that rotate_half(x)·sin = roll(x, D/2)·signed sin and a rotation costs one copy.
    /// </summary>
    public (Tensor Cos, Tensor SignedSin) Angles(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * inverseFrequencies;   // (B, T, D/2)
        var cos = freqs.cos();
        var sin = freqs.sin();
        var cosFull = cat([cos, cos], -1).unsqueeze(2).to(dtype);                         // (B, T, 1, D)
        var signedSin = cat([sin.neg(), sin], -1).unsqueeze(2).to(dtype);
        return (cosFull.MoveToOuterDisposeScope(), signedSin.MoveToOuterDisposeScope());
    }

    /// <summary>x (B, T, heads, D) rotated: x·cos + rotate_half(x)·sin, rotate_half(x) = (−x₂, x₁) = roll(x, D/2)·(−1, 1).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        using var scope = NewDisposeScope();
        var rolled = x.roll(x.shape[^1] / 2, -1);
        return (x * cos + rolled * signedSin).MoveToOuterDisposeScope();
    }
}
