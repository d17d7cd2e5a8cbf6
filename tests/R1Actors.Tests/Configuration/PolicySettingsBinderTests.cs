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

    [Theory]
    [InlineData("r1.sampling.top-p=0", "r1.sampling.top-p")]
    [InlineData("r1.sampling.max-new-tokens=0", "r1.sampling.max-new-tokens")]
    [InlineData("r1.model.dtype=float8", "r1.model.dtype")]
    [InlineData("r1.model.tiny.heads=5", "r1.model.tiny.heads")]
    [InlineData("r1.model.tiny.kv-heads=3", "r1.model.tiny.kv-heads")]
    [InlineData("r1.tokenizer.prompt-format=jinja", "r1.tokenizer.prompt-format")]
    [InlineData("r1.tokenizer.r1-zero-template=\"no placeholder\"", "r1.tokenizer.r1-zero-template")]
    public void Bad_value_names_its_key(string set, string key) => Assert.Equal(key, Fails(set).Key);
}
