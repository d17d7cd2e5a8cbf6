using R1Actors.Evaluation;

namespace R1Actors.Tests.Evaluation;

public class PassAtKTests
{
    private static double Binomial(int n, int k)
    {
        var r = 1.0;
        for (var i = 1; i <= k; i++)
        {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    [Theory]
    [InlineData(4, 1, 2, 0.5)]          // 1 − C(3,2)/C(4,2) = 1 − 3/6
    [InlineData(10, 0, 5, 0.0)]
    [InlineData(10, 10, 1, 1.0)]
    [InlineData(10, 3, 1, 0.3)]         // pass@1 is the fraction correct
    [InlineData(5, 1, 5, 1.0)]          // k = n always includes the correct one
    public void Pass_at_k_matches_hand_computed_values(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Pass_at_k_equals_the_binomial_formula_for_every_small_case()
    {
        for (var n = 1; n <= 20; n++)
        {
            for (var c = 0; c <= n; c++)
            {
                for (var k = 1; k <= n; k++)
                {
                    var expected = 1.0 - Binomial(n - c, k) / Binomial(n, k);
                    Assert.Equal(expected, PassAtK.Estimate(n, c, k), 9);
                }
            }
        }
    }

    [Fact]
    public void Mean_over_prompts_averages_each_prompts_estimate() =>
        Assert.Equal((0.5 + 1.0) / 2, PassAtK.Mean([(4, 1), (4, 4)], 2), 12);

    [Fact]
    public void Over_64_samples_pass_at_k_rises_with_k_and_reaches_the_share_of_prompts_solved_at_least_once()
    {
        // compare's probe: 64 samples a prompt, pass@k for every k; prompts solved 0, 1, 8 and 64 times
        (int, int)[] prompts = [(64, 0), (64, 1), (64, 8), (64, 64)];
        var curve = Enumerable.Range(1, 64).Select(k => PassAtK.Mean(prompts, k)).ToArray();

        Assert.Equal((0 + 1.0 / 64 + 8.0 / 64 + 1) / 4, curve[0], 12);
        Assert.All(curve.Zip(curve.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        Assert.Equal(3.0 / 4, curve[^1], 12);
        Assert.Equal((0 + 32.0 / 64 + (1 - Binomial(56, 32) / Binomial(64, 32)) + 1) / 4, curve[31], 9);
    }

    [Fact]
    public void More_correct_than_samples_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(3, 4, 1));
}
