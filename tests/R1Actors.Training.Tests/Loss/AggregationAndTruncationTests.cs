using R1Actors.Training.Loss;

namespace R1Actors.Training.Tests.Loss;

public class AggregationAndTruncationTests
{
    [Fact]
    public void Sequence_mean_weights_each_token_by_one_over_completions_times_its_length()
    {
        Assert.Equal([1.0 / 4, 1.0 / 8], new SequenceMeanAggregation().TokenWeights([2, 4]));
    }

    [Fact]
    public void Token_mean_weights_every_token_of_the_batch_equally()
    {
        Assert.Equal([1.0 / 6, 1.0 / 6], new TokenMeanAggregation().TokenWeights([2, 4]));
    }

    [Fact]
    public void Constant_normaliser_divides_by_completions_times_the_constant()
    {
        Assert.Equal([1.0 / 16, 1.0 / 16], new ConstantNormaliserAggregation(8).TokenWeights([2, 4]));
    }

    [Fact]
    public void Aggregation_weights_sum_to_one_over_the_tokens_for_the_mean_variants()
    {
        int[] lengths = [3, 1, 7, 5];
        foreach (ILossAggregation aggregation in new ILossAggregation[] { new SequenceMeanAggregation(), new TokenMeanAggregation() })
        {
            var weights = aggregation.TokenWeights(lengths);
            Assert.Equal(1.0, lengths.Select((n, i) => n * weights[i]).Sum(), 12);
        }
    }

    [Fact]
    public void An_empty_completion_gets_no_weight_under_sequence_mean()
    {
        Assert.Equal([0.0, 0.5], new SequenceMeanAggregation().TokenWeights([0, 1]));
    }

    [Fact]
    public void Truncation_policies_shape_rewards_and_choose_what_trains()
    {
        Assert.Equal(0.5, new KeepTruncated().ShapeReward(0.5, truncated: true));
        Assert.True(new KeepTruncated().Trains(truncated: true));

        Assert.False(new MaskTruncated().Trains(truncated: true));
        Assert.True(new MaskTruncated().Trains(truncated: false));

        var penalise = new PenaliseTruncated(1.0);
        Assert.Equal(-1.0, penalise.ShapeReward(0.0, truncated: true));
        Assert.Equal(0.0, penalise.ShapeReward(0.0, truncated: false));
        Assert.True(penalise.Trains(truncated: true));
    }
}
