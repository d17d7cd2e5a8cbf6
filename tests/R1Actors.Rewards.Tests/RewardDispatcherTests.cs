using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests;

public sealed class RewardDispatcherTests
{
    private sealed class Throwing : IRewardFunction
    {
        public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("boom");
    }

    [Fact]
    public async Task A_fault_inside_a_reward_function_scores_zero_and_is_counted()
    {
        var dispatcher = new RewardDispatcher(new Dictionary<string, IRewardFunction> { ["x"] = new Throwing() });
        var outcome = await dispatcher.ScoreAsync(new TaskSpec("x", Fields.Of()), "", CancellationToken.None);
        Assert.Equal(0, outcome.Score);
        Assert.Contains("boom", outcome.Reason);
        Assert.Equal(1, dispatcher.Faults);
    }

    [Fact]
    public async Task Weights_from_settings_combine_answer_and_format()
    {
        var settings = new RewardSettings { Weights = new RewardSettings().Weights.ToDictionary(w => w.Key, w => w.Key == "math" ? new TaskWeights(2.0, 0.5) : w.Value) };
        await using var dispatcher = RewardDispatcher.Create(settings);
        var outcome = await dispatcher.ScoreAsync(new TaskSpec("math", Fields.Of(("reference", "4"))), "<answer>4</answer>", CancellationToken.None);
        Assert.Equal(2.0, outcome.Score);
        Assert.Equal(0.0, outcome.Components["format"]);
        Assert.Contains("missing <think>", outcome.Reason);
    }

    [Fact]
    public void Invalid_settings_are_refused_with_every_key_named()
    {
        var settings = new RewardSettings
        {
            Format = new FormatSettings { Strictness = "loose" },
            Code = new SandboxSettings { MaxConcurrency = 0 },
        };
        var error = Assert.Throws<ArgumentException>(() => RewardDispatcher.Create(settings));
        Assert.Contains("r1.rewards.format.strictness", error.Message);
        Assert.Contains("r1.rewards.code.max-concurrency", error.Message);
    }

    [Fact]
    public async Task A_missing_interpreter_makes_code_tasks_score_zero_with_the_reason_and_start_up_fail()
    {
        await using var dispatcher = RewardDispatcher.Create(new RewardSettings { Code = new SandboxSettings { Python = "/nonexistent/python3" } });
        var outcome = await dispatcher.ScoreAsync(new TaskSpec("code", Fields.Of(("tests", new[] { new { stdin = "", stdout = "1" } }))), "print(1)", CancellationToken.None);
        Assert.Equal(0, outcome.Score);
        Assert.Contains("sandbox unavailable", outcome.Reason);
        var error = Assert.Throws<InvalidOperationException>(() => dispatcher.StartSandbox());
        Assert.Contains("r1.rewards.code.python", error.Message);
    }
}
