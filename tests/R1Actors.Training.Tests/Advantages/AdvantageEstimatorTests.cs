using R1Actors.Training.Advantages;

namespace R1Actors.Training.Tests.Advantages;

public class AdvantageEstimatorTests
{
    [Fact]
    public void Grpo_advantages_are_rewards_standardised_within_the_group()
    {
        // mean 0.5, Bessel std √(4 · 0.25 / 3) = 0.57735 → ±0.5 / 0.57735 = ±0.86603
        var advantages = new GrpoAdvantages(epsilon: 0).Compute([1, 0, 0, 1]);
        Assert.Equal([0.866025, -0.866025, -0.866025, 0.866025], advantages.Select(a => Math.Round(a, 6)));
    }

    [Fact]
    public void Grpo_epsilon_is_added_to_the_standard_deviation()
    {
        // rewards [3, 1]: mean 2, std √2 → (3 − 2) / (√2 + 0.1)
        var advantages = new GrpoAdvantages(epsilon: 0.1).Compute([3, 1]);
        Assert.Equal(1 / (Math.Sqrt(2) + 0.1), advantages[0], 12);
        Assert.Equal(-1 / (Math.Sqrt(2) + 0.1), advantages[1], 12);
    }

    [Fact]
    public void Dr_grpo_advantages_are_rewards_minus_the_group_mean()
    {
        Assert.Equal([1.0, -1.0, 0.0], new DrGrpoAdvantages().Compute([2, 0, 1]));
    }

    [Fact]
    public void Rloo_advantages_subtract_the_mean_of_the_other_completions()
    {
        // baselines: (1 + 2)/2, (3 + 2)/2, (3 + 1)/2
        Assert.Equal([1.5, -1.5, 0.0], new RlooAdvantages().Compute([3, 1, 2]));
        var advantages = new RlooAdvantages().Compute([1, 0, 0, 1]);
        double[] expected = [2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3];
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], advantages[i], 12);
    }

    [Fact]
    public void Rloo_rejects_a_group_of_one()
    {
        var error = Assert.Throws<ArgumentException>(() => new RlooAdvantages().Compute([1.0]));
        Assert.Contains("at least 2", error.Message);
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("dr-grpo")]
    [InlineData("rloo")]
    public void Advantages_are_zero_when_all_group_rewards_equal(string name)
    {
        IAdvantageEstimator estimator = name switch
        {
            "grpo" => new GrpoAdvantages(),
            "dr-grpo" => new DrGrpoAdvantages(),
            _ => new RlooAdvantages(),
        };
        Assert.All(estimator.Compute([0.7, 0.7, 0.7, 0.7]), a => Assert.Equal(0.0, a, 12));
    }

    [Fact]
    public void A_group_is_zero_signal_only_when_every_reward_is_the_same()
    {
        Assert.True(GroupStatistics.IsZeroSignal([1, 1, 1]));
        Assert.False(GroupStatistics.IsZeroSignal([1, 1, 0.999]));
    }

    [Fact]
    public void Sample_standard_deviation_divides_by_n_minus_one()
    {
        Assert.Equal(Math.Sqrt(2.5), GroupStatistics.SampleStd([1, 2, 3, 4, 5]), 12);
        Assert.Equal(0.0, GroupStatistics.SampleStd([4]));
    }
}
