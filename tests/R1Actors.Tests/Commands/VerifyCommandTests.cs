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
        var stdout = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(stdout);
        try
        {
            Assert.Equal(0, await VerifyCommand.RunAsync(input, output, new RewardSettings().CorrectnessOnly()));
        }
        finally
        {
            Console.SetOut(previous);
        }
        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1.0, 0.0, 0.0, 1.0], lines.Select(l => l.GetProperty("score").GetDouble()));
        Assert.Contains("line 3", lines[2].GetProperty("reason").GetString());
        var summary = JsonDocument.Parse(stdout.ToString().TrimEnd().Split('\n')[^1]).RootElement;
        Assert.Equal(4, summary.GetProperty("count").GetInt32());
        Assert.Equal(0.5, summary.GetProperty("mean_score").GetDouble());
        Assert.Equal(1, summary.GetProperty("errors").GetInt32());
        Assert.Equal(2, summary.GetProperty("per_task").GetProperty("math").GetProperty("count").GetInt32());
    }
}
