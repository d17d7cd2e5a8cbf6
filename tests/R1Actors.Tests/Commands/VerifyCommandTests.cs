using System.Text.Json;
using R1Actors.Commands;
using R1Actors.Rewards;

namespace R1Actors.Tests.Commands;

[Collection("console")]
public sealed class VerifyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-verify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Verify_writes_one_line_per_input_line_and_ends_with_a_json_summary()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        var output = Path.Combine(_dir, "out.jsonl");
        File.WriteAllLines(input,
        [
            """{"task": "math", "completion": "<think>a</think><answer>\\frac{1}{2}</answer>", "reference": "0.5"}""",
            """{"task": "math", "completion": "<answer>3</answer>", "reference": "4"}""",
            """{broken""",
            """{"task": "countdown", "completion": "<answer>(3+5)*2</answer>", "numbers": [3, 5, 2], "target": 16}""",
        ]);
        // The console is the process's: captured under the lock every in-process command takes (InProcessCommand).
        var run = await Task.Run(() => InProcessCommand.Capture(() => VerifyCommand.RunAsync(input, output, new RewardSettings().CorrectnessOnly()).GetAwaiter().GetResult()));
        Assert.Equal(0, run.ExitCode);
        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1.0, 0.0, 0.0, 1.0], lines.Select(l => l.GetProperty("score").GetDouble()));
        Assert.Contains("line 3", lines[2].GetProperty("reason").GetString());
        var summary = JsonDocument.Parse(run.LastLine).RootElement;
        Assert.Equal(4, summary.GetProperty("count").GetInt32());
        Assert.Equal(0.5, summary.GetProperty("mean_score").GetDouble());
        Assert.Equal(1, summary.GetProperty("errors").GetInt32());
        Assert.Equal(2, summary.GetProperty("per_task").GetProperty("math").GetProperty("count").GetInt32());
    }

    [Fact]
    public void Verify_scores_custom_rows_with_the_users_python_function_and_csharp_kinds_beside_math()
    {
        var input = Path.Combine(_dir, "mixed.jsonl");
        File.WriteAllLines(input,
        [
            """{"task": "gsm8k-custom", "completion": "<answer>72</answer>", "ground_truth": "48 + 24 = 72\n#### 72", "question": "q1"}""",
            """{"task": "gsm8k-custom", "completion": "I think 70", "ground_truth": "#### 72"}""",
            """{"task": "math", "completion": "<answer>\\frac{1}{2}</answer>", "reference": "0.5"}""",
            """{"task": "palindrome", "completion": "<answer>Step on no pets</answer>", "min_length": 5}""",
        ]);
        var output = Path.Combine(_dir, "mixed-out.jsonl");
        var example = Path.Combine(AppContext.BaseDirectory, "R1Actors.Rewards.ExampleReward.dll");
        var run = BuiltExecutable.Run(RepositoryPaths.Root, TimeSpan.FromMinutes(2), "verify", "--input", input, "--output", output,
            "--set", "r1.rewards.custom.path=hocon/rewards/gsm8k_reward.py", "--set", "r1.rewards.custom.kind=gsm8k-custom",
            "--set", $"r1.rewards.assemblies=[\"{example}\"]");
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1.0, 0.0, 1.0, 1.0], lines.Select(l => l.GetProperty("score").GetDouble()));
        Assert.Equal(1.0, lines[0].GetProperty("components").GetProperty("answer_in_block").GetDouble());
        var summary = JsonDocument.Parse(run.LastLine).RootElement;
        Assert.Equal(2, summary.GetProperty("per_task").GetProperty("gsm8k-custom").GetProperty("count").GetInt32());
        Assert.Equal(0, summary.GetProperty("custom_reward_failures").GetInt32());
        Assert.Equal(0, summary.GetProperty("sandbox_faults").GetInt32());
    }

    [Fact]
    public void A_custom_reward_file_that_does_not_exist_stops_verify_with_the_key_and_exit_code_2()
    {
        var input = Path.Combine(_dir, "one.jsonl");
        File.WriteAllText(input, """{"task": "custom", "completion": "x", "ground_truth": "x"}""" + "\n");
        var run = BuiltExecutable.Run(RepositoryPaths.Root, TimeSpan.FromMinutes(1), "verify", "--input", input, "--set", "r1.rewards.custom.path=rewards/none.py");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("r1.rewards.custom.path", run.Stderr);
        Assert.Contains("rewards/none.py", run.Stderr);
    }
}
