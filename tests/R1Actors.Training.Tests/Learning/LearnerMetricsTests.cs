using R1Actors.Policy.Sampling;
using R1Actors.Training.Batches;
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
        var batch = new TrainingBatch(
        [
            new ScoredGroup([1], [
                Groups.Completion([2, 3, 4], 1.0, correct: true),
                Groups.Completion([2], 0.0),
                Groups.Completion([5, 5, 5, 5, 5, 5], 0.0, truncated: true)]),
            new ScoredGroup([2], [
                Groups.Completion([6, 6], 0.5, version: 0),
                Groups.Completion([7], 0.5, version: 0),
                Groups.Completion([1, 1, 1, 1], 0.5)]),
        ], DiscardedZeroSignalGroups: 2);

        var metrics = learner.Train(batch).Metrics.ToDictionary();

        Assert.Equal(2.5 / 6, metrics["reward_mean"], 12);
        Assert.Equal((Math.Sqrt(1.0 / 3) + 0.0) / 2, metrics["reward_std"], 12);   // group stds √(1/3) and 0
        Assert.Equal(1.0 / 6, metrics["accuracy"], 12);
        Assert.Equal(3.0 / 4, metrics["frac_reward_zero_std"], 12);                // 1 in the batch + 2 discarded, of 4
        Assert.Equal(17.0 / 6, metrics["completion_length_mean"], 12);
        Assert.Equal(6, metrics["completion_length_max"]);
        Assert.Equal(1, metrics["completion_length_min"]);
        Assert.Equal(1.0 / 6, metrics["completions/clipped_ratio"], 12);
        Assert.Equal(17, metrics["num_tokens"]);
        Assert.Equal(1, metrics["policy_version"]);
        Assert.Equal(1e-2, metrics["learning_rate"]);
        Assert.True(metrics["grad_norm"] > 0);
        Assert.False(metrics.ContainsKey("kl_reference"));
        foreach (var name in new[] { "loss", "kl", "entropy", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "tokens_per_second" })
            Assert.True(double.IsFinite(metrics[name]), name);
    }

    [Fact]
    public void Staleness_is_measured_against_the_learner_version()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var fresh = new TrainingBatch([new ScoredGroup([1], [Groups.Completion([2], 1.0), Groups.Completion([3], 0.0)])]);
        learner.Train(fresh);
        learner.Train(fresh);
        var metrics = learner.Train(fresh).Metrics;
        Assert.Equal(2, metrics.StalenessMax);
        Assert.Equal(2.0, metrics.Staleness);
    }

    [Fact]
    public void Penalising_truncation_turns_an_all_zero_group_into_a_signal()
    {
        TrainingBatch Batch() => new([new ScoredGroup([1], [Groups.Completion([2, 3], 0.0, truncated: true), Groups.Completion([4], 0.0)])]);
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
        var broken = new ScoredCompletion([2, 3, 4], [-1f, -1f], 1.0, FinishReason.Stop, 0, false);
        var batch = new TrainingBatch([
            new ScoredGroup([1], [Groups.Completion([2], 1.0), Groups.Completion([3], 0.0)]),
            new ScoredGroup([1], [Groups.Completion([2], 1.0), broken])]);
        var error = Assert.Throws<ArgumentException>(() => learner.Train(batch));
        Assert.Contains("group 1, completion 1: 3 tokens but 2 behaviour log-probs", error.Message);
        Assert.Equal(0, learner.Step);
    }

    [Fact]
    public void A_group_without_prompt_tokens_is_rejected()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var error = Assert.Throws<ArgumentException>(() => learner.Train(new TrainingBatch([new ScoredGroup([], [Groups.Completion([2], 1.0)])])));
        Assert.Contains("group 0: the prompt has no tokens", error.Message);
    }
}
