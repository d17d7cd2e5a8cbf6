using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;

namespace R1Actors.Training.Tests.Learning;

public class LearnerMetricsTests
{
    [Fact]
    public void Step_metrics_report_rewards_lengths_truncation_and_zero_signal_groups()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var batch = Groups.Batch(
        [
            Groups.Of([1], [
                Groups.Completion([2, 3, 4], 1.0, correct: true),
                Groups.Completion([2], 0.0),
                Groups.Completion([5, 5, 5, 5, 5, 5], 0.0, truncated: true)]),
            Groups.Of([2], [
                Groups.Completion([6, 6], 0.5, version: 0),
                Groups.Completion([7], 0.5, version: 0),
                Groups.Completion([1, 1, 1, 1], 0.5)]),
        ], discardedGroups: 2);

        var metrics = learner.Train(batch).Metrics.Figures();

        Assert.Equal(2.5 / 6, metrics[MetricNames.RewardMean], 12);
        Assert.Equal((Math.Sqrt(1.0 / 3) + 0.0) / 2, metrics[MetricNames.RewardStd], 12);   // group stds √(1/3) and 0
        Assert.Equal(1.0 / 6, metrics[MetricNames.Accuracy], 12);
        Assert.Equal(3.0 / 4, metrics[MetricNames.FracRewardZeroStd], 12);                // 1 in the batch + 2 discarded, of 4
        Assert.Equal(17.0 / 6, metrics[MetricNames.CompletionLengthMean], 12);
        Assert.Equal(6, metrics[MetricNames.CompletionLengthMax]);
        Assert.Equal(1, metrics[MetricNames.CompletionLengthMin]);
        Assert.Equal(1.0 / 6, metrics[MetricNames.CompletionsClippedRatio], 12);
        Assert.Equal(17, metrics[MetricNames.NumTokens]);
        Assert.Equal(1, metrics[MetricNames.PolicyVersion]);
        Assert.Equal(1e-2, metrics[MetricNames.LearningRate]);
        Assert.True(metrics[MetricNames.GradNorm] > 0);
        Assert.False(metrics.ContainsKey(MetricNames.KlReference));
        foreach (var name in new[] { MetricNames.Loss, MetricNames.Kl, MetricNames.Entropy, MetricNames.ClipRatioLowMean, MetricNames.ClipRatioHighMean, MetricNames.ClipRatioRegionMean, MetricNames.LearnerTokensPerSecond })
            Assert.True(double.IsFinite(metrics[name]), name);
    }

    [Fact]
    public void A_refused_prompts_group_is_counted_and_neither_trained_on_nor_in_the_rollout_figures()
    {
        using var model = new TinyDecoder();
        using var other = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        using var without = new Learner(other, Settings.Learner());
        var sampled = Groups.Of([1], [Groups.Completion([2, 3], 1.0, correct: true), Groups.Completion([4], 0.0)]);

        var metrics = learner.Train(Groups.Batch([Groups.Refused([5, 6, 7], samples: 2), sampled])).Metrics;
        var expected = without.Train(Groups.Batch([sampled])).Metrics;

        Assert.Equal(1, metrics.RefusedPrompts);
        Assert.Equal(1, metrics.Figures()[MetricNames.RefusedPrompts]);
        Assert.Equal(0, expected.RefusedPrompts);
        Assert.Equal((expected.Groups, expected.Completions, expected.NumTokens), (metrics.Groups, metrics.Completions, metrics.NumTokens));
        Assert.Equal((expected.RewardMean, expected.Accuracy, expected.CompletionLengthMin, expected.FracRewardZeroStd),
            (metrics.RewardMean, metrics.Accuracy, metrics.CompletionLengthMin, metrics.FracRewardZeroStd));
        Assert.Equal(expected.Loss, metrics.Loss, 12);
        Assert.True(ModuleTensors.Equal(model, ModuleTensors.Copy(other)), "the refused group changed the update");
    }

    [Fact]
    public void A_batch_whose_every_prompt_was_refused_skips_the_step_and_says_why()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var result = learner.Train(Groups.Batch([Groups.Refused([1, 2], samples: 3), Groups.Refused([3], samples: 3)]));

        Assert.False(result.Applied);
        Assert.Contains("refused every prompt", result.SkipReason);
        Assert.Equal(2, result.Metrics.RefusedPrompts);
        Assert.Equal(0, result.Metrics.Groups);
        foreach (var name in new[] { MetricNames.RewardMean, MetricNames.RewardStd, MetricNames.Accuracy, MetricNames.FracRewardZeroStd, MetricNames.CompletionLengthMean, MetricNames.Staleness })
            Assert.Equal(0, result.Metrics.Figures()[name]);
        Assert.Equal(0, learner.PolicyVersion);
    }

    [Fact]
    public void Staleness_is_measured_against_the_learner_version()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var fresh = Groups.Batch([Groups.Of([1], [Groups.Completion([2], 1.0), Groups.Completion([3], 0.0)])]);
        learner.Train(fresh);
        learner.Train(fresh);
        var metrics = learner.Train(fresh).Metrics;
        Assert.Equal(2, metrics.StalenessMax);
        Assert.Equal(2.0, metrics.Staleness);
    }

    [Fact]
    public void Penalising_truncation_turns_an_all_zero_group_into_a_signal()
    {
        LearnerBatch Batch() => Groups.Batch([Groups.Of([1], [Groups.Completion([2, 3], 0.0, truncated: true), Groups.Completion([4], 0.0)])]);
        using var model = new TinyDecoder();
        using var keep = new Learner(model, Settings.Learner(truncation: new KeepTruncated()));
        Assert.Equal(1.0, keep.Train(Batch()).Metrics.FracRewardZeroStd);
        using var penalise = new Learner(model, Settings.Learner(truncation: new PenaliseTruncated(1.0)));
        var metrics = penalise.Train(Batch()).Metrics;
        Assert.Equal(0.0, metrics.FracRewardZeroStd);
        Assert.True(metrics.AdvantagesAbsMean > 0.5);
    }

    [Fact]
    public void Behaviour_log_probs_that_do_not_match_the_tokens_are_rejected_with_their_position()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var broken = Groups.Completion([2, 3, 4], 1.0, [-1f, -1f]);
        var batch = Groups.Batch([
            Groups.Of([1], [Groups.Completion([2], 1.0), Groups.Completion([3], 0.0)]),
            Groups.Of([1], [Groups.Completion([2], 1.0), broken])]);
        var error = Assert.Throws<ArgumentException>(() => learner.Train(batch));
        Assert.Contains("group 1, completion 1: 3 tokens but 2 behaviour log-probs", error.Message);
        Assert.Equal(0, learner.Step);
    }

    [Fact]
    public void A_group_without_prompt_tokens_is_rejected()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var error = Assert.Throws<ArgumentException>(() => learner.Train(Groups.Batch([Groups.Of([], [Groups.Completion([2], 1.0)])])));
        Assert.Contains("group 0: the prompt has no tokens", error.Message);
    }
}
