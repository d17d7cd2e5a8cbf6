using System.CommandLine;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using R1Actors.Configuration;

namespace R1Actors.Bench.Commands;

/// <summary><c>r1actors-bench verifiers</c>: see <see cref="VerifierBench"/>.</summary>
public static class VerifiersBenchCommand
{
    public static Command Create()
    {
        var command = new Command("verifiers", "Math verifications/s per core, sandboxed Python runs/s, sandbox overhead over bare python3");
        var seconds = new Option<double>("--math-seconds") { Description = "How long to time the math mix", DefaultValueFactory = _ => 3 };
        var runs = new Option<int>("--runs") { Description = "Sandboxed runs to time", DefaultValueFactory = _ => 40 };
        command.Add(seconds);
        command.Add(runs);
        var (config, set) = CommonOptions.AddConfiguration(command);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var (settings, _) = R1Settings.Load(parse.GetValue(config), parse.GetValue(set) ?? []);
            var report = new BenchReport("verifiers");
            report.Fact("machine", "machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");
            VerifierBench.Run(report, TimeSpan.FromSeconds(System.Math.Max(0.5, parse.GetValue(seconds))), System.Math.Max(2, parse.GetValue(runs)), settings.Rewards.Code);
            report.Finish();
            return ExitCodes.Success;
        }));
        return command;
    }
}
