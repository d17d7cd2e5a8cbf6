using System.Text.Json;
using R1Actors.Rewards.Verify;

namespace R1Actors.Rewards.Tests.Verify;

public sealed class VerifyRunnerTests
{
    private static async Task<(VerifySummary Summary, List<JsonElement> Lines)> Run(string input, RewardSettings? settings = null)
    {
        await using var rewards = RewardDispatcher.Create((settings ?? new RewardSettings()).CorrectnessOnly());
        var output = new StringWriter();
        var summary = await new VerifyRunner(rewards, parallelism: 4).RunAsync(new StringReader(input), output, CancellationToken.None);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (summary, lines);
    }

    [Fact]
    public async Task Each_input_line_gets_one_output_line_in_order_and_malformed_lines_are_counted()
    {
        var input = string.Join('\n',
            """{"task": "math", "completion": "<answer>72</answer>", "reference": "#### 72"}""",
            """not json""",
            """{"task": "countdown", "completion": "<answer>3*5+7</answer>", "numbers": [3, 5, 7], "target": 22}""",
            """{"task": "math", "reference": "1"}""",
            "",
            """{"task": "exact", "completion": "<answer>3</answer>", "reference": "003"}""",
            """{"task": "format", "completion": "<think>a</think><answer>b</answer>"}""",
            """{"task": "poetry", "completion": "x"}""");
        var (summary, lines) = await Run(input);
        Assert.Equal(8, lines.Count);
        Assert.Equal([1.0, 0, 1, 0, 0, 0, 1, 0], lines.Select(l => l.GetProperty("score").GetDouble()));
        Assert.Contains("line 2", lines[1].GetProperty("reason").GetString());
        Assert.Contains("line 4: missing string field 'completion'", lines[3].GetProperty("reason").GetString());
        Assert.Contains("line 5: empty line", lines[4].GetProperty("reason").GetString());
        Assert.Contains("unknown task kind 'poetry'", lines[7].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("reason").ValueKind);
        Assert.Equal(1.0, lines[0].GetProperty("components").GetProperty("answer").GetDouble());
        Assert.False(lines[0].GetProperty("components").TryGetProperty("format", out _));
        Assert.Equal(8, summary.Count);
        Assert.Equal(3, summary.Errors);
        Assert.Equal(3.0 / 8, summary.MeanScore, 6);
        Assert.Equal(new KindSummary(1, 1.0), summary.PerTask["countdown"]);
        Assert.Equal(new KindSummary(1, 0.0), summary.PerTask["exact"]);
    }

    [Fact]
    public async Task A_line_with_an_unpaired_surrogate_is_a_malformed_line_not_a_crash()
    {
        var input = string.Join('\n',
            """{"task": "math", "completion": "<answer>\ud800</answer>", "reference": "1"}""",
            """{"task": "math", "completion": "<answer>1</answer>", "reference": "1"}""");
        var (summary, lines) = await Run(input);
        Assert.Equal([0.0, 1.0], lines.Select(l => l.GetProperty("score").GetDouble()));
        Assert.Contains("line 1: 'task' or 'completion' is not valid Unicode", lines[0].GetProperty("reason").GetString());
        Assert.Equal(1, summary.Errors);
    }

    [Fact]
    public async Task With_format_the_format_component_is_added_as_training_weights_it()
    {
        var input = """{"task": "math", "completion": "<think>x</think> <answer>4</answer>", "reference": "4"}""";
        await using var rewards = RewardDispatcher.Create(new RewardSettings());
        var output = new StringWriter();
        await new VerifyRunner(rewards, 1).RunAsync(new StringReader(input), output, CancellationToken.None);
        var line = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal(1.1, line.GetProperty("score").GetDouble(), 6);
        Assert.Equal(1.0, line.GetProperty("components").GetProperty("format").GetDouble());
    }

    [Fact]
    public async Task Broken_references_show_in_the_summary()
    {
        var (summary, _) = await Run("""{"task": "math", "completion": "<answer>1</answer>", "reference": "\\frac{1}{"}""");
        Assert.Equal(1, summary.InvalidReferences);
        using var json = JsonDocument.Parse(summary.ToJson());
        Assert.Equal(1, json.RootElement.GetProperty("invalid_references").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("per_task").GetProperty("math").GetProperty("count").GetInt32());
    }
}
