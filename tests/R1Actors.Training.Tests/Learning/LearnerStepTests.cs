using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Tests.Support;
using Serilog.Events;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Learning;

public class LearnerStepTests
{
    private static readonly int[] Prompt = [0, 1];

    /// <summary>Every token of the vocabulary as a one-token completion; only <paramref name="rewarded"/> scores 1.</summary>
    private static LearnerBatch EveryTokenOnce(TinyDecoder model, int rewarded) =>
        Groups.Batch([Groups.OnPolicy(model, Prompt, Enumerable.Range(0, 8).Select(t => (new[] { t }, t == rewarded ? 1.0 : 0.0)).ToArray())]);

    private static double Probability(TinyDecoder model, int token) => Math.Exp(Groups.LogProbs(model, Prompt, [token])[0]);

    [Fact]
    public void Ratio_is_one_and_clip_fraction_zero_when_behaviour_equals_current()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var batch = Groups.Batch([Groups.OnPolicy(model, Prompt, ([2, 3, 4], 1.0), ([5], 0.0), ([6, 7], 0.5))]);
        var metrics = learner.Train(batch).Metrics;
        Assert.Equal(1.0, metrics.ImportanceRatioMean, 5);
        Assert.Equal(0.0, metrics.ClipRatioLowMean);
        Assert.Equal(0.0, metrics.ClipRatioHighMean);
        Assert.Equal(0.0, metrics.Kl, 6);
        Assert.Equal(6, metrics.TokensTrained);
    }

    [Theory]
    [InlineData(0.7, true)]
    [InlineData(1.0, false)]
    public void The_learner_scores_at_the_sampling_temperature(double learnerTemperature, bool ratioIsOne)
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner() with { Temperature = learnerTemperature });
        var batch = Groups.Batch([Groups.OnPolicyAt(0.7, model, Prompt, ([2, 3, 4], 1.0), ([5], 0.0), ([6, 7], 0.5))]);
        var ratio = learner.Train(batch).Metrics.ImportanceRatioMean;
        Assert.Equal(ratioIsOne, Math.Abs(ratio - 1.0) < 1e-5);
    }

    [Fact]
    public void With_a_reward_that_prefers_one_token_its_probability_rises_step_after_step()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner(learningRate: 1e-2));
        var probabilities = new List<double> { Probability(model, 5) };
        for (var step = 0; step < 8; step++)
        {
            Assert.True(learner.Train(EveryTokenOnce(model, rewarded: 5)).Applied);
            probabilities.Add(Probability(model, 5));
        }
        for (var i = 1; i < probabilities.Count; i++)
            Assert.True(probabilities[i] > probabilities[i - 1], $"p(5) fell at step {i}: {string.Join(", ", probabilities)}");
        Assert.True(probabilities[^1] > 2 * probabilities[0], $"p(5) only went from {probabilities[0]} to {probabilities[^1]}");
    }

    [Fact]
    public void Nan_loss_skips_the_step_logs_why_and_leaves_weights_untouched()
    {
        var sink = new CollectingSink();
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner(), log: sink.Logger());
        learner.PublishCurrent();
        var before = ModuleTensors.Copy(model);
        var batch = EveryTokenOnce(model, rewarded: 3);

        model.Poisoned = true;
        var result = learner.Train(batch);

        Assert.False(result.Applied);
        Assert.Contains("loss is NaN", result.SkipReason);
        Assert.True(ModuleTensors.Equal(model, before), "weights changed during a skipped step");
        Assert.Equal(0, learner.PolicyVersion);
        Assert.Equal(0, learner.Optimizer.StepsApplied);
        Assert.Equal(0, learner.Weights.LatestVersion);
        Assert.Equal(1, learner.Step);
        var warning = Assert.Single(sink.Events, e => e.Level == LogEventLevel.Warning);
        Assert.Contains("loss is NaN", warning.Properties["SkipReason"].ToString());

        model.Poisoned = false;
        Assert.True(learner.Train(batch).Applied);
        Assert.Equal(1, learner.PolicyVersion);
        Assert.False(ModuleTensors.Equal(model, before));
    }

    [Fact]
    public void Nan_behaviour_log_prob_skips_the_step_and_leaves_weights_untouched()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        var before = ModuleTensors.Copy(model);
        var batch = Groups.Batch([Groups.Of(Prompt, [
            Groups.Completion([2, 3], 1.0, [-1.0f, float.NaN]),
            Groups.Completion([4], 0.0, [-2.0f])])]);
        var result = learner.Train(batch);
        Assert.False(result.Applied);
        Assert.True(ModuleTensors.Equal(model, before));
        Assert.Equal(0, learner.Optimizer.StepsApplied);
    }

    [Fact]
    public void Nan_gradient_with_a_finite_loss_skips_the_step_and_leaves_weights_untouched()
    {
        using var model = new TinyDecoder { PoisonedGradient = true };
        using var learner = new Learner(model, Settings.Learner());
        var before = ModuleTensors.Copy(model);
        var result = learner.Train(EveryTokenOnce(model, rewarded: 1));
        Assert.False(result.Applied);
        Assert.Contains("gradient norm is NaN", result.SkipReason);
        Assert.True(double.IsFinite(result.Metrics.Loss));
        Assert.True(ModuleTensors.Equal(model, before));
        Assert.Equal(0, learner.Optimizer.StepsApplied);
    }

    [Fact]
    public void Each_applied_step_publishes_the_next_weights_version()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        learner.PublishCurrent();
        var published = new List<long> { learner.Weights.LatestVersion };
        for (var i = 0; i < 3; i++)
        {
            learner.Train(EveryTokenOnce(model, rewarded: 2));
            published.Add(learner.Weights.LatestVersion);
        }
        Assert.Equal([0L, 1L, 2L, 3L], published);
        using var lease = learner.Weights.Acquire();
        Assert.Equal(3, lease.Version);
        Assert.True(ModuleTensors.Equal(model, lease.Snapshot.Tensors));
    }

    [Fact]
    public void Bfloat16_policy_trains_and_keeps_its_dtype()
    {
        using var model = new TinyDecoder(dtype: ScalarType.BFloat16);
        using var learner = new Learner(model, Settings.Learner(learningRate: 1e-2));
        var before = Probability(model, 4);
        for (var step = 0; step < 5; step++)
            Assert.True(learner.Train(EveryTokenOnce(model, rewarded: 4)).Applied);
        Assert.True(Probability(model, 4) > before);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
    }

    [Fact]
    public void Entropy_bonus_raises_entropy_when_rewards_carry_no_signal()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner(loss: new PolicyLossSettings(EntropyCoefficient: 1.0)));
        var entropies = new List<double>();
        for (var step = 0; step < 4; step++)
        {
            var batch = Groups.Batch([Groups.OnPolicy(model, Prompt, ([1, 2], 1.0), ([3, 4], 1.0))]);
            entropies.Add(learner.Train(batch).Metrics.Entropy);
        }
        Assert.True(entropies[^1] > entropies[0], string.Join(", ", entropies));
    }

    [Fact]
    public void A_batch_without_any_reward_signal_skips_the_update_and_its_compute()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner());
        learner.Train(EveryTokenOnce(model, rewarded: 2));
        var before = ModuleTensors.Copy(model);
        var result = learner.Train(Groups.Batch([Groups.OnPolicy(model, Prompt, ([1, 2], 1.0), ([3, 4], 1.0)), Groups.OnPolicy(model, Prompt, ([5], 0.0), ([6], 0.0))]));
        Assert.False(result.Applied);
        Assert.Contains("no group carried a reward signal", result.SkipReason);
        Assert.Equal(0, result.Metrics.NumTokens);
        Assert.Equal(1.0, result.Metrics.FracRewardZeroStd);
        Assert.True(ModuleTensors.Equal(model, before), "AdamW's momentum moved the weights without a gradient");
        Assert.Equal(1, learner.PolicyVersion);
    }

    [Fact]
    public void A_failed_pass_leaves_no_partial_gradient_so_the_batch_can_be_retried()
    {
        using var model = new TinyDecoder(vocab: 8);
        using var learner = new Learner(model, Settings.Learner(microBatchSize: 1));
        var good = Groups.Completion([2], 1.0);
        var outOfVocabulary = Groups.Completion([200], 0.0);
        var broken = Groups.Batch([Groups.Of(Prompt, [good, outOfVocabulary])]);
        Assert.ThrowsAny<Exception>(() => learner.Train(broken));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().ToDouble() == 0.0));
        Assert.Equal(0, learner.Step);
    }

    [Fact]
    public void Kl_penalty_without_a_reference_model_is_refused()
    {
        using var model = new TinyDecoder();
        var error = Assert.Throws<ArgumentException>(() => new Learner(model, Settings.Learner(loss: new PolicyLossSettings(KlBeta: 0.04))));
        Assert.Contains("reference", error.Message);
    }

    [Fact]
    public void Kl_to_an_identical_reference_is_zero_and_grows_as_the_policy_moves()
    {
        using var model = new TinyDecoder(seed: 4);
        using var reference = new TinyDecoder(seed: 4);
        using var learner = new Learner(model, Settings.Learner(loss: new PolicyLossSettings(KlBeta: 0.01)), reference);
        var first = learner.Train(EveryTokenOnce(model, rewarded: 6)).Metrics;
        var second = learner.Train(EveryTokenOnce(model, rewarded: 6)).Metrics;
        Assert.Equal(0.0, first.KlReference!.Value, 9);
        Assert.True(second.KlReference > 1e-6, $"kl after one step: {second.KlReference}");
        Assert.True(second.Figures().ContainsKey(MetricNames.KlReference));
    }

    [Fact]
    public void A_batch_with_every_completion_masked_is_skipped_without_touching_the_weights()
    {
        using var model = new TinyDecoder();
        using var learner = new Learner(model, Settings.Learner(truncation: new MaskTruncated()));
        var before = ModuleTensors.Copy(model);
        var batch = Groups.Batch([Groups.Of(Prompt, [Groups.Completion([2], 1.0, truncated: true), Groups.Completion([3], 0.0, truncated: true)])]);
        var result = learner.Train(batch);
        Assert.False(result.Applied);
        Assert.Contains("masked", result.SkipReason);
        Assert.True(ModuleTensors.Equal(model, before));
    }
}
