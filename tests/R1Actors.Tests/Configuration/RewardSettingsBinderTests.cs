using R1Actors.Configuration;
using R1Actors.Configuration.Sections;
using R1Actors.Rewards;
using R1Actors.Rewards.Code;

namespace R1Actors.Tests.Configuration;

public sealed class RewardSettingsBinderTests
{
    private static RewardSettings Bind(params string[] sets) => RewardSettingsBinder.Bind(new SettingsReader(ConfigSource.Load(null, sets)));

    [Fact]
    public void Reference_conf_binds_to_the_reward_library_defaults()
    {
        var bound = Bind();
        var library = new RewardSettings();
        Assert.Equal(library.Math with { Limits = bound.Math.Limits }, bound.Math);
        Assert.Equal(library.Math.Limits, bound.Math.Limits);
        Assert.Equal(library.Format, bound.Format);
        Assert.Equal(library.Code.Limits, bound.Code.Limits);
        Assert.Equal(library.Code with { Limits = bound.Code.Limits }, bound.Code);
        foreach (var kind in TaskKinds.BuiltIn) Assert.Equal(library.Weights[kind], bound.Weights[kind]);
    }

    [Fact]
    public void Every_rewards_key_of_reference_conf_is_read()
    {
        var reader = new SettingsReader(ConfigSource.Load(null, []));
        RewardSettingsBinder.Bind(reader);
        var unread = reader.Source.ReferenceKeys.Where(k => k.StartsWith("r1.rewards.", StringComparison.Ordinal)).Except(reader.KeysRead).ToList();
        Assert.True(unread.Count == 0, "unread: " + string.Join(", ", unread));
        Assert.Contains("r1.rewards.code.limits.processes", reader.KeysRead);
    }

    [Fact]
    public void Overrides_reach_the_reward_settings()
    {
        var bound = Bind("r1.rewards.code.isolation=rlimits", "r1.rewards.code.limits.wall-time=1500ms", "r1.rewards.weights.math.format=0");
        Assert.Equal(IsolationPreference.Rlimits, bound.Code.Isolation);
        Assert.Equal(1.5, bound.Code.Limits.WallSeconds);
        Assert.Equal(new TaskWeights(1.0, 0.0), bound.Weights["math"]);
    }

    [Theory]
    [InlineData("r1.rewards.format.strictness=loose", "r1.rewards.format.strictness")]
    [InlineData("r1.rewards.math.deadline=0", "r1.rewards.math.deadline")]
    [InlineData("r1.rewards.weights.code.answer=-1", "r1.rewards.weights.code.answer")]
    [InlineData("r1.rewards.code.isolation=vm", "r1.rewards.code.isolation")]
    [InlineData("r1.rewards.code.limits.memory-mb=8", "r1.rewards.code.limits.memory-mb")]
    public void A_bad_value_stops_start_up_naming_its_key(string set, string key)
    {
        var error = Assert.Throws<SettingsException>(() => Bind(set));
        Assert.Equal(key, error.Key);
    }
}
