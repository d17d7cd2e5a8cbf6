using R1Actors.Configuration;

namespace R1Actors.Tests.Configuration;

public sealed class PolicySettingsBinderTests
{
    private static SettingsException Fails(params string[] sets) =>
        Assert.Throws<SettingsException>(() => R1Settings.Load(null, sets));

    [Fact]
    public void Defaults_give_the_tiny_demo_model_r1_zero_prompts_and_plain_sampling()
    {
        var (settings, _) = R1Settings.Load(null, []);
        Assert.Equal("", settings.Model.Path);
        Assert.Equal((128, 3, 4), (settings.Model.Tiny.HiddenSize, settings.Model.Tiny.Layers, settings.Model.Tiny.Heads));
        Assert.Equal("r1-zero", settings.Tokenizer.PromptFormat);
        Assert.Contains("{question}", settings.Tokenizer.R1ZeroTemplate);
        Assert.Equal(1.0, settings.Sampling.Options.Temperature);
        Assert.Equal(256, settings.Sampling.Options.MaxNewTokens);
    }

    [Fact]
    public void Overrides_reach_the_sampling_options()
    {
        var (settings, _) = R1Settings.Load(null, ["r1.sampling.top-k=20", "r1.sampling.top-p=0.9", "r1.sampling.stop-strings=[\"</answer>\"]"]);
        Assert.Equal(20, settings.Sampling.Options.TopK);
        Assert.Equal(0.9, settings.Sampling.Options.TopP);
        Assert.Equal(["</answer>"], settings.Sampling.Options.StopStrings);
    }

    [Fact]
    public void Decode_attention_is_the_cpu_kernel_where_it_applies_unless_libtorch_is_asked_for()
    {
        var (defaults, _) = R1Settings.Load(null, []);
        Assert.Equal(Policy.Model.DecodeAttentionPath.Auto, defaults.Sampling.Options.DecodeAttention);
        var (libtorch, _) = R1Settings.Load(null, ["r1.sampling.decode-attention=libtorch"]);
        Assert.Equal(Policy.Model.DecodeAttentionPath.Libtorch, libtorch.Sampling.Options.DecodeAttention);
    }

    [Fact]
    public void Continuous_batching_is_the_default_with_the_static_batchs_rows_and_holds_their_groups_in_the_pipeline()
    {
        var (settings, _) = R1Settings.Load(null, ["r1.pipeline.prompts-per-batch=4", "r1.pipeline.group-size=8", "r1.sampling.max-new-tokens=100"]);
        Assert.Equal(new Policy.Settings.ContinuousBatchingSettings(Slots: 32, SlotTokens: 512 + 100), settings.Sampling.Continuous);
        Assert.Equal(32 + 1, settings.Pipeline.ContinuousPrompts);
        Assert.True(settings.Pipeline.BatchesContinuously);
        Assert.Equal(Pipeline.Settings.WeightSwitch.BetweenSteps, settings.Pipeline.WeightSwitch);
    }

    [Fact]
    public void Static_batching_and_deterministic_mode_leave_continuous_batching_off()
    {
        var (chosen, _) = R1Settings.Load(null, ["r1.sampling.batching=static", "r1.pipeline.weight-switch=between-batches"]);
        Assert.Null(chosen.Sampling.Continuous);
        Assert.False(chosen.Pipeline.BatchesContinuously);
        Assert.Equal(Pipeline.Settings.WeightSwitch.BetweenBatches, chosen.Pipeline.WeightSwitch);
        var (deterministic, _) = R1Settings.Load(null, ["r1.run.deterministic=true", "r1.pipeline.max-staleness=0", "r1.torch.threads=1"]);
        Assert.Null(deterministic.Sampling.Continuous);
        Assert.False(deterministic.Pipeline.BatchesContinuously);
    }

    [Theory]
    [InlineData("r1.sampling.batching=paged", "r1.sampling.batching")]
    [InlineData("r1.sampling.slots=-1", "r1.sampling.slots")]
    [InlineData("r1.sampling.decode-attention=fused", "r1.sampling.decode-attention")]
    [InlineData("r1.sampling.max-prompt-tokens=0", "r1.sampling.max-prompt-tokens")]
    [InlineData("r1.pipeline.weight-switch=sometimes", "r1.pipeline.weight-switch")]
    [InlineData("r1.sampling.top-p=0", "r1.sampling.top-p")]
    [InlineData("r1.sampling.max-new-tokens=0", "r1.sampling.max-new-tokens")]
    [InlineData("r1.model.dtype=float8", "r1.model.dtype")]
    [InlineData("r1.model.tiny.heads=5", "r1.model.tiny.heads")]
    [InlineData("r1.model.tiny.kv-heads=3", "r1.model.tiny.kv-heads")]
    [InlineData("r1.tokenizer.prompt-format=jinja", "r1.tokenizer.prompt-format")]
    [InlineData("r1.tokenizer.r1-zero-template=\"no placeholder\"", "r1.tokenizer.r1-zero-template")]
    public void Bad_value_names_its_key(string set, string key) => Assert.Equal(key, Fails(set).Key);
}
