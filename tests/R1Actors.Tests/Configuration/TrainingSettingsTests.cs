using R1Actors.Configuration;
using R1Actors.Training.Advantages;
using R1Actors.Training.Loss;
using static TorchSharp.torch;

namespace R1Actors.Tests.Configuration;

public class TrainingSettingsTests
{
    [Fact]
    public void Reference_defaults_build_grpo_with_token_mean_and_a_constant_rate()
    {
        var (settings, _) = R1Settings.Load(null, []);
        var learner = settings.Training.CreateLearnerSettings(samplingTemperature: 0.7);
        Assert.IsType<GrpoAdvantages>(learner.Advantages);
        Assert.IsType<TokenMeanAggregation>(learner.Aggregation);
        Assert.IsType<KeepTruncated>(learner.Truncation);
        Assert.Equal(1e-6, learner.Schedule.LearningRate(0));
        Assert.Equal(0.7, learner.Temperature);
        Assert.False(learner.Loss.UsesReference);
        Assert.Equal(ScalarType.Float32, settings.Training.WeightType);
    }

    [Fact]
    public void The_tiny_demo_recipe_is_two_overrides()
    {
        var (settings, _) = R1Settings.Load(null, ["r1.training.optimizer.lr=3e-4", "r1.training.schedule.warmup-steps=20"]);
        var schedule = settings.Training.CreateLearnerSettings(1.0).Schedule;
        Assert.Equal(1.5e-5, schedule.LearningRate(0), 15);
        Assert.Equal(3e-4, schedule.LearningRate(19), 15);
    }

    [Fact]
    public void Variants_are_chosen_by_name()
    {
        var (settings, _) = R1Settings.Load(null, [
            "r1.training.algorithm.advantage=rloo", "r1.training.algorithm.aggregation=constant",
            "r1.training.algorithm.truncated=penalise", "r1.training.schedule.kind=cosine", "r1.training.schedule.total-steps=100",
            "r1.training.dtype=bfloat16"]);
        var learner = settings.Training.CreateLearnerSettings(1.0);
        Assert.IsType<RlooAdvantages>(learner.Advantages);
        Assert.IsType<ConstantNormaliserAggregation>(learner.Aggregation);
        Assert.IsType<PenaliseTruncated>(learner.Truncation);
        Assert.Equal("cosine", learner.Schedule.Name);
        Assert.Equal(ScalarType.BFloat16, settings.Training.WeightType);
    }

    [Fact]
    public void An_unknown_advantage_lists_the_known_ones()
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.algorithm.advantage=ppo"]));
        Assert.Equal("r1.training.algorithm.advantage", e.Key);
        Assert.Contains("\"dr-grpo\"", e.Message);
    }

    [Fact]
    public void A_cosine_schedule_without_decay_steps_is_refused_with_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.schedule.kind=cosine", "r1.training.schedule.warmup-steps=10"]));
        Assert.Equal("r1.training.schedule.total-steps", e.Key);
        Assert.Contains("greater than warmup-steps", e.Message);
    }

    [Fact]
    public void A_clip_of_one_or_more_below_is_refused()
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.algorithm.clip-low=1.0"]));
        Assert.Equal("r1.training.algorithm.clip-low", e.Key);
    }

    [Fact]
    public void Lora_is_off_by_default_and_binds_its_keys_when_on()
    {
        Assert.Null(R1Settings.Load(null, []).Item1.Training.Lora);
        var (settings, _) = R1Settings.Load(null, ["r1.training.lora.enabled=true", "r1.training.lora.rank=8", "r1.training.lora.alpha=16",
            "r1.training.lora.target-modules=[q_proj, v_proj]"]);
        var lora = settings.Training.Lora!;
        Assert.Equal(8, lora.Rank);
        Assert.Equal(2.0, lora.Scaling);
        Assert.Equal(["q_proj", "v_proj"], lora.TargetModules);
        Assert.True(lora.PublishBfloat16);
        var exact = R1Settings.Load(null, ["r1.training.lora.enabled=true", "r1.training.lora.publish-dtype=float32"]).Item1.Training.Lora!;
        Assert.False(exact.PublishBfloat16);
    }

    [Fact]
    public void A_lora_publish_dtype_other_than_float32_or_bfloat16_is_refused_naming_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.lora.enabled=true", "r1.training.lora.publish-dtype=float16"]));
        Assert.Equal("r1.training.lora.publish-dtype", e.Key);
        Assert.Contains("float16", e.Message);
    }

    [Fact]
    public void A_lora_target_the_model_does_not_have_is_refused_naming_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.lora.enabled=true", "r1.training.lora.target-modules=[q_proj, qkv]"]));
        Assert.Equal("r1.training.lora.target-modules", e.Key);
        Assert.Contains("\"qkv\"", e.Message);
    }

    [Fact]
    public void A_lora_rank_of_zero_is_refused_naming_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.lora.enabled=true", "r1.training.lora.rank=0"]));
        Assert.Equal("r1.training.lora.rank", e.Key);
    }
}
