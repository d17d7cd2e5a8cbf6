using System.CommandLine;
using System.Globalization;
using R1Actors.Cli;
using R1Actors.Configuration;
using R1Actors.Rewards;
using R1Actors.Rewards.Verify;

namespace R1Actors.Commands;

/// <summary>
/// <c>r1actors verify</c>: scores a JSONL file of completions offline. One output line per input line (to
/// <c>--output</c>, else stdout), then a human summary whose last line is one JSON object. By default only
/// correctness counts (1 or 0); <c>--with-format</c> adds the format component with the training weights.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "Score completions offline (math, countdown, code, format, exact) to check a dataset or a reward setting");
        var input = new Option<string>("--input") { Description = "JSONL file, one {task, completion, ...} object a line", Required = true };
        var output = new Option<string?>("--output") { Description = "JSONL file for one {score, components, reason} line per input line (default: stdout, before the summary)" };
        var withFormat = new Option<bool>("--with-format") { Description = "Add the format component as training would" };
        command.Add(input);
        command.Add(output);
        command.Add(withFormat);
        var (config, set) = CommonOptions.AddConfiguration(command);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var inputPath = parse.GetValue(input)!;
            if (!File.Exists(inputPath)) throw new UsageException($"--input {inputPath}: no such file");
            var (settings, _) = R1Settings.Load(parse.GetValue(config), parse.GetValue(set) ?? []);
            var rewards = parse.GetValue(withFormat) ? settings.Rewards : settings.Rewards.CorrectnessOnly();
            return RunAsync(inputPath, parse.GetValue(output), rewards).GetAwaiter().GetResult();
        }));
        return command;
    }

    internal static async Task<int> RunAsync(string inputPath, string? outputPath, RewardSettings settings)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        await using var rewards = RewardDispatcher.Create(settings);
        using var reader = new StreamReader(inputPath);
        var writer = outputPath is null ? Console.Out : new StreamWriter(outputPath);
        VerifySummary summary;
        try
        {
            summary = await new VerifyRunner(rewards, Math.Max(2, Environment.ProcessorCount * 2)).RunAsync(reader, writer, cancel.Token);
        }
        finally
        {
            if (outputPath is not null) await writer.DisposeAsync();
        }
        PrintSummary(summary, inputPath, outputPath, rewards.SandboxIsolation is { } level ? $"{level} ({rewards.SandboxDescription})" : null);
        return ExitCodes.Success;
    }

    private static void PrintSummary(VerifySummary summary, string inputPath, string? outputPath, string? isolation)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"verified {summary.Count} lines of {inputPath}{(outputPath is null ? "" : $" -> {outputPath}")}: mean score {summary.MeanScore.ToString("F4", c)}");
        foreach (var (kind, tally) in summary.PerTask.OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {kind,-10} {tally.Count,8} lines   mean score {tally.MeanScore.ToString("F4", c)}");
        Console.WriteLine($"  malformed lines: {summary.Errors}   invalid references: {summary.InvalidReferences}   sandbox faults: {summary.SandboxFaults}   custom reward failures: {summary.CustomRewardFailures}");
        foreach (var sample in summary.ErrorSamples) Console.WriteLine($"    {sample}");
        if (isolation is not null) Console.WriteLine($"  code sandbox isolation: {isolation}");
        Console.WriteLine(summary.ToJson());
    }
}
