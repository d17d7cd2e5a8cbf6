using R1Actors.Rewards.Custom;

namespace R1Actors.Rewards.Tests.Custom;

/// <summary>Task kinds written in C#: loaded from the assembly named in configuration, routed by kind, with clear errors.</summary>
public sealed class CustomRewardAssembliesTests
{
    private static readonly string Example = Path.Combine(AppContext.BaseDirectory, "R1Actors.Rewards.ExampleReward.dll");

    [Fact]
    public async Task The_example_assembly_adds_its_kind_beside_the_built_in_ones()
    {
        await using var rewards = RewardDispatcher.Create(new RewardSettings { Assemblies = [Example] }.CorrectnessOnly());
        Assert.Contains("palindrome", rewards.Kinds);
        Assert.Contains(TaskKinds.Math, rewards.Kinds);
        var task = new TaskSpec("palindrome", Fields.Of(("min_length", 7)));
        Assert.Equal(1.0, (await rewards.ScoreAsync(task, "<think>…</think><answer>Never odd or even</answer>", CancellationToken.None)).Score);
        var wrong = await rewards.ScoreAsync(task, "<answer>racecars</answer>", CancellationToken.None);
        Assert.Equal(0.0, wrong.Score);
        Assert.Equal("not a palindrome", wrong.Reason);
        var math = new TaskSpec(TaskKinds.Math, Fields.Of(("reference", "4")));
        Assert.Equal(1.0, (await rewards.ScoreAsync(math, "<answer>4</answer>", CancellationToken.None)).Score);
    }

    [Fact]
    public void A_missing_file_a_file_that_is_not_an_assembly_and_a_taken_kind_are_configuration_errors()
    {
        var missing = Assert.Throws<SettingsException>(() => CustomRewardAssemblies.Load(["no-such.dll"], []));
        Assert.Contains("r1.rewards.assemblies[0]", missing.Message);
        var text = Path.GetTempFileName();
        try
        {
            File.WriteAllText(text, "not an assembly");
            Assert.Contains("is not a .NET assembly", Assert.Throws<SettingsException>(() => CustomRewardAssemblies.Load([text], [])).Message);
        }
        finally
        {
            File.Delete(text);
        }
        var taken = Assert.Throws<SettingsException>(() => CustomRewardAssemblies.Load([Example], ["palindrome"]));
        Assert.Contains("already taken", taken.Message);
        var none = Assert.Throws<SettingsException>(() => CustomRewardAssemblies.Load([typeof(RewardDispatcher).Assembly.Location], []));
        Assert.Contains("has no public class implementing", none.Message);
    }
}
