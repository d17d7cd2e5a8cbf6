using System.Text.Json.Nodes;
using R1Actors.Rewards.Custom;
using R1Actors.Rewards.Tests.Code;

namespace R1Actors.Rewards.Tests.Custom;

/// <summary>A reward users write in Python: called with veRL's arguments in the real sandbox; every failure scores 0 with its reason and is counted.</summary>
[Collection(SandboxCollection.Name)]
public sealed class PythonRewardTests(SandboxFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1actors-reward-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private PythonReward Reward(string source, double timeoutSeconds = 2)
    {
        var path = Path.Combine(_dir, $"reward_{Guid.NewGuid():N}.py");
        File.WriteAllText(path, source);
        return new PythonReward(fixture.Sandbox, new PythonRewardSettings { Path = path, Timeout = TimeSpan.FromSeconds(timeoutSeconds) });
    }

    private static TaskSpec Row(params (string, object)[] fields) => new("custom", Fields.Of(fields));

    [Fact]
    public async Task The_shipped_gsm8k_example_scores_right_and_wrong_answers_and_reports_its_figures()
    {
        var reward = new PythonReward(fixture.Sandbox, new PythonRewardSettings { Path = Path.Combine(AppContext.BaseDirectory, "Custom", "gsm8k_reward.py") });
        var row = Row(("ground_truth", "She pays 48 + 24 = 72.\n#### 72"), ("question", "How much?"));
        var right = await reward.ScoreAsync(row, "<think>48+24</think> <answer>72</answer>", CancellationToken.None);
        Assert.Equal(1.0, right.Score);
        Assert.Equal(1.0, right.Components["answer_in_block"]);
        var wrong = await reward.ScoreAsync(row, "it is 71", CancellationToken.None);
        Assert.Equal(0.0, wrong.Score);
        Assert.Equal(0.0, wrong.Components["answer_in_block"]);
        // 7,2 is not a thousands form of 72, and the last answer block counts.
        Assert.Equal(0.0, (await reward.ScoreAsync(row, "<answer>7,2</answer>", CancellationToken.None)).Score);
        Assert.Equal(0.0, (await reward.ScoreAsync(row, "<answer>72</answer> on second thought <answer>70</answer>", CancellationToken.None)).Score);
        Assert.Equal(0, reward.Failures);
    }

    [Fact]
    public async Task The_function_gets_verls_arguments_from_the_row()
    {
        var reward = Reward("""
            def compute_score(data_source, solution_str, ground_truth, extra_info=None):
                ok = (data_source == "custom" and solution_str == "done" and ground_truth == [1, 2]
                      and extra_info == {"question": "q", "level": 3})
                return {"score": 1.0 if ok else 0.0, "fields": len(extra_info)}
            """);
        var outcome = await reward.ScoreAsync(Row(("reference", new[] { 1, 2 }), ("question", "q"), ("level", 3)), "done", CancellationToken.None);
        Assert.True(outcome.Score == 1.0, $"arguments differ: {outcome.Reason}");
        Assert.Equal(2.0, outcome.Components["fields"]);
        var named = await Reward("def compute_score(data_source, solution_str, ground_truth, extra_info):\n    return float(data_source == 'gsm8k' and ground_truth == '7')\n")
            .ScoreAsync(Row(("data_source", "gsm8k"), ("ground_truth", "7")), "x", CancellationToken.None);
        Assert.Equal(1.0, named.Score);
    }

    [Fact]
    public void A_row_in_verls_layout_gets_verls_own_arguments()
    {
        var row = Row(("data_source", "openai/gsm8k"), ("reward_model", new { ground_truth = "72", style = "rule" }), ("extra_info", new { index = 3, split = "train" }), ("ability", "math"));
        var arguments = PythonReward.Arguments(row, "The answer is 72");
        Assert.Equal("openai/gsm8k", arguments["data_source"]!.GetValue<string>());
        Assert.Equal("The answer is 72", arguments["solution_str"]!.GetValue<string>());
        Assert.Equal("72", arguments["ground_truth"]!.GetValue<string>());
        Assert.Equal("""{"index":3,"split":"train"}""", arguments["extra_info"]!.ToJsonString());
    }

    [Theory]
    [InlineData("def compute_score(**kw):\n    raise ValueError('no answer')\n", "ValueError: no answer")]
    [InlineData("def compute_score(**kw):\n    return 'high'\n", "expected a number or a dict with a numeric 'score'")]
    [InlineData("def compute_score(**kw):\n    return {'value': 1}\n", "expected a number or a dict with a numeric 'score'")]
    [InlineData("def compute_score(**kw):\n    return float('nan')\n", "not finite JSON data")]
    [InlineData("def compute_score(**kw):\n    while True:\n        pass\n", "limit reached")]
    [InlineData("import sys\ndef compute_score(**kw):\n    sys.exit(3)\n", "exit(3)")]
    [InlineData("compute_score = 1\n", "defines no function compute_score")]
    public async Task A_failing_function_scores_zero_with_the_reason_and_is_counted(string source, string reason)
    {
        var reward = Reward(source, timeoutSeconds: 1);
        var outcome = await reward.ScoreAsync(Row(("ground_truth", "1")), "1", CancellationToken.None);
        Assert.Equal(0.0, outcome.Score);
        Assert.Contains(reason, outcome.Reason);
        Assert.Contains("custom reward reward_", outcome.Reason);
        Assert.Equal(1, reward.Failures);
    }

    [Fact]
    public async Task The_function_runs_sandboxed_not_on_the_host()
    {
        var marker = Path.Combine(_dir, "escaped");
        var reward = Reward($$"""
            import os, socket
            def compute_score(data_source, solution_str, ground_truth, extra_info=None):
                try:
                    open("{{marker}}", "w").write("x")
                except OSError:
                    pass
                try:
                    socket.create_connection(("1.1.1.1", 53), timeout=1)
                    return 0.0
                except OSError:
                    return 1.0
            """);
        var outcome = await reward.ScoreAsync(Row(("ground_truth", "x")), "x", CancellationToken.None);
        Assert.True(outcome.Score == 1.0, outcome.Reason ?? "the network was reachable");
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("true", 1.0)]
    [InlineData("{\"score\": 0.5, \"length\": 12, \"answer\": 3, \"note\": \"text\"}", 0.5)]
    public void A_number_a_bool_or_a_dict_with_a_score_is_read(string json, double score)
    {
        var outcome = PythonReward.Read(JsonNode.Parse(json));
        Assert.NotNull(outcome);
        Assert.Equal(score, outcome.Score);
        Assert.Equal(score, outcome.Components[RewardComponents.Answer]);
        if (json.StartsWith('{'))
        {
            Assert.Equal(12, outcome.Components["length"]);
            Assert.Equal(3, outcome.Components["custom_answer"]); // never overrides the answer component
            Assert.False(outcome.Components.ContainsKey("note"));
        }
    }

    [Fact]
    public void A_missing_file_or_function_is_a_configuration_error_naming_the_key()
    {
        var missing = Assert.Throws<SettingsException>(() => new PythonReward(fixture.Sandbox, new PythonRewardSettings { Path = Path.Combine(_dir, "nope.py") }));
        Assert.Contains("r1.rewards.custom.path", missing.Message);
        var path = Path.Combine(_dir, "other.py");
        File.WriteAllText(path, "def score(**kw):\n    return 1\n");
        var function = Assert.Throws<SettingsException>(() => new PythonReward(fixture.Sandbox, new PythonRewardSettings { Path = path }));
        Assert.Contains("r1.rewards.custom.function", function.Message);
    }
}
