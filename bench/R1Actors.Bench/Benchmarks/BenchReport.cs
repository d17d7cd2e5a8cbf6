using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// The output contract of every <c>r1actors-bench</c> command: human-readable figures as they are
/// measured, then, as the very last line of stdout, one JSON object holding the same figures so that
/// scripts can read them (<c>r1actors-bench x | tail -n1 | jq</c>).
/// </summary>
public sealed class BenchReport(string benchmark, TextWriter? output = null)
{
    private readonly TextWriter _output = output ?? Console.Out;
    private readonly JsonObject _figures = new() { ["benchmark"] = benchmark };

    /// <summary>Prints one figure and records it under <paramref name="key"/> (snake_case).</summary>
    public void Figure(string key, string label, double value, string unit, string format = "F2")
    {
        _output.WriteLine($"  {label,-58} {value.ToString(format, CultureInfo.InvariantCulture),14} {unit}");
        _figures[key] = double.IsFinite(value) ? Math.Round(value, 6) : null;
    }

    /// <summary>Records a non-numeric fact (machine, model shape, verdict).</summary>
    public void Fact(string key, string label, string value)
    {
        _output.WriteLine($"  {label,-58} {value}");
        _figures[key] = value;
    }

    /// <summary>Records a pass/fail verdict against a bar the issue sets.</summary>
    public void Check(string key, string label, bool passed)
    {
        _output.WriteLine($"  {label,-58} {(passed ? "yes" : "NO")}");
        _figures[key] = passed;
    }

    /// <summary>A figure recorded so far (NaN when absent or not a number).</summary>
    public double Value(string key) => _figures[key] is JsonValue value && value.TryGetValue<double>(out var number) ? number : double.NaN;

    /// <summary>Takes another report's figures (a child process's JSON line), all but its benchmark name.</summary>
    public void Include(JsonObject figures)
    {
        foreach (var (key, value) in figures.ToList())
        {
            if (key != "benchmark") _figures[key] = value?.DeepClone();
        }
    }

    public void Section(string title) => _output.WriteLine(title);

    /// <summary>Writes the JSON line; call once, last.</summary>
    public void Finish() => _output.WriteLine(_figures.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
}
