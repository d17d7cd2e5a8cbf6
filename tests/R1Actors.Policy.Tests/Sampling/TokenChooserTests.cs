using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Sampling;

public class TokenChooserTests
{
    private const int Draws = 20_000;
    private static readonly float[] Probabilities = [0.5f, 0.3f, 0.15f, 0.05f];

    private static (long[] Tokens, float[] LogProbs, float[] Filtered) Run(SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Probabilities).log().unsqueeze(0).expand(Draws, -1);
        var uniforms = new float[Draws];
        SampleSeed.FillUniforms(99, uniforms);
        var (tokens, logProbs, filtered) = TokenChoosers.For(options.Validated()).Choose(logits, tensor(uniforms));
        return (tokens.data<long>().ToArray(), logProbs.data<float>().ToArray(), filtered.data<float>().ToArray());
    }

    private static double Frequency(long[] tokens, int token) => tokens.Count(t => t == token) / (double)tokens.Length;

    [Fact]
    public void Plain_sampling_draws_tokens_at_their_probabilities()
    {
        var (tokens, logProbs, _) = Run(new SamplingOptions());
        for (var token = 0; token < Probabilities.Length; token++)
            Assert.Equal(Probabilities[token], Frequency(tokens, token), 0.012);
        Assert.Equal(Math.Log(Probabilities[tokens[0]]), logProbs[0], 1e-5);
    }

    [Fact]
    public void Top_k_keeps_the_k_most_likely_and_renormalises()
    {
        var (tokens, logProbs, filtered) = Run(new SamplingOptions { TopK = 2 });
        Assert.Equal(0.5 / 0.8, Frequency(tokens, 0), 0.012);
        Assert.Equal(0.3 / 0.8, Frequency(tokens, 1), 0.012);
        Assert.DoesNotContain(tokens, t => t >= 2);
        var i = Array.IndexOf(tokens, 1L);
        Assert.Equal(Math.Log(0.3), logProbs[i], 1e-5);
        Assert.Equal(Math.Log(0.3 / 0.8), filtered[i], 1e-5);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_prefix_whose_mass_reaches_p()
    {
        // 0.5 + 0.3 = 0.8 ≥ 0.75: tokens 0 and 1 are kept, 2 and 3 cut.
        var (tokens, _, _) = Run(new SamplingOptions { TopP = 0.75 });
        Assert.Equal(0.5 / 0.8, Frequency(tokens, 0), 0.012);
        Assert.DoesNotContain(tokens, t => t >= 2);
        // p below the top token's mass still keeps that one token.
        Assert.All(Run(new SamplingOptions { TopP = 0.1 }).Tokens, t => Assert.Equal(0, t));
    }

    [Fact]
    public void Temperature_sharpens_the_distribution()
    {
        var (tokens, logProbs, _) = Run(new SamplingOptions { Temperature = 0.5 });
        // p^(1/T) renormalised: 0.25, 0.09, 0.0225, 0.0025 over 0.365.
        Assert.Equal(0.25 / 0.365, Frequency(tokens, 0), 0.012);
        Assert.Equal(Math.Log(0.25 / 0.365), logProbs[Array.IndexOf(tokens, 0L)], 1e-4);
    }

    [Fact]
    public void Seed_streams_are_reproducible_and_inside_the_open_unit_interval()
    {
        var a = new float[1000];
        var b = new float[1000];
        SampleSeed.FillUniforms(SampleSeed.Derive(1, 2, 3, 4), a);
        SampleSeed.FillUniforms(SampleSeed.Derive(1, 2, 3, 4), b);
        Assert.Equal(a, b);
        Assert.All(a, u => Assert.InRange(u, 1e-9f, 1 - 1e-9f));
        Assert.NotEqual(SampleSeed.Derive(1, 2, 3, 4), SampleSeed.Derive(1, 2, 3, 5));
        Assert.NotEqual(SampleSeed.Derive(1, 2, 3, 4), SampleSeed.Derive(1, 2, 4, 3));
    }
}
