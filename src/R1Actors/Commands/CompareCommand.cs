using System.CommandLine;
using System.Runtime.InteropServices;
using R1Actors.Cli;
using R1Actors.Comparison;
using R1Actors.Configuration;

namespace R1Actors.Commands;

/// <summary><c>r1actors compare</c>: RL from reward against filter-and-SFT (and a cold start before RL) from one base, on one budget.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var command = new Command("compare",
            "Train the arms one after another from the same base, data and seed on the same budget, measure held-out pass@k, entropy and length along each, " +
            "and write a report (Markdown, PNG charts, JSON; the last line is JSON); the same command resumes a killed comparison");
        var (config, set) = CommonOptions.AddConfiguration(command);
        var arms = new Option<string>("--arms")
        {
            Description = $"Comma-separated arms: {string.Join(", ", CompareArms.Known.Keys)}",
            DefaultValueFactory = _ => string.Join(",", CompareArms.Known.Keys),
        };
        var budget = new Option<string>("--budget") { Description = "What each arm spends: samples=N (sampled completions), time=T (training wall time, e.g. 5m), or both", Required = true };
        var runDir = CommonOptions.RunDir("The comparison's folder: arms/, points.jsonl, report/ (default: runs/compare-<r1.run.name>)");
        command.Add(arms);
        command.Add(budget);
        command.Add(runDir);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var configFile = parse.GetValue(config);
            var sets = parse.GetValue(set) ?? [];
            var chosen = CompareArms.Parse(parse.GetValue(arms)!);
            var spend = CompareBudget.Parse(parse.GetValue(budget)!);
            var folder = parse.GetValue(runDir) ?? Path.Combine("runs", "compare-" + R1Settings.Load(configFile, sets).Settings.Run.Name);
            using var stop = new CancellationTokenSource();
            void Stop(PosixSignalContext signal)
            {
                signal.Cancel = true;
                Console.Error.WriteLine("Stop requested: the arm in progress finishes its step and checkpoints; the same command resumes the comparison");
                stop.Cancel();
            }
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            var json = new CompareRun(configFile, sets, chosen, spend, folder, Console.Out).RunAsync(stop.Token).GetAwaiter().GetResult();
            Console.WriteLine($"report: {json["report"]}");
            Console.WriteLine(json.ToJsonString(CompareReport.JsonLine));
            return ExitCodes.Success;
        }));
        return command;
    }
}
