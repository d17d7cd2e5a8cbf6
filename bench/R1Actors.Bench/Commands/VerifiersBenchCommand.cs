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
        var command = new Command("verifiers", "Math verifications/s per core; sandboxed Python runs/s and latency, warm pool and cold spawn, as root and as nobody");
        var seconds = new Option<double>("--math-seconds") { Description = "How long to time the math mix", DefaultValueFactory = _ => 3 };
        var runs = new Option<int>("--runs") { Description = "Sandboxed runs to time per workload with the warm pool", DefaultValueFactory = _ => 400 };
        var coldRuns = new Option<int>("--cold-runs") { Description = "Sandboxed runs to time per workload with cold spawn", DefaultValueFactory = _ => 40 };
        var rootOnly = new Option<bool>("--no-unprivileged") { Description = "As root, skip the second sandbox run as nobody" };
        var sandboxOnly = new Option<bool>("--sandbox-only") { Description = "Only the sandbox figures, keys prefixed nonroot_ (the child run as nobody)" };
        command.Add(seconds);
        command.Add(runs);
        command.Add(coldRuns);
        command.Add(rootOnly);
        command.Add(sandboxOnly);
        var (config, set) = CommonOptions.AddConfiguration(command);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var (settings, _) = R1Settings.Load(parse.GetValue(config), parse.GetValue(set) ?? []);
            var report = new BenchReport("verifiers");
            var warm = System.Math.Max(10, parse.GetValue(runs));
            var cold = System.Math.Max(10, parse.GetValue(coldRuns));
            if (parse.GetValue(sandboxOnly))
            {
                SandboxBench.Run(report, settings.Rewards.Code, warm, cold, "nonroot_");
                report.Finish();
                return ExitCodes.Success;
            }
            report.Fact("machine", "machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");
            IReadOnlyList<string> Child()
            {
                var arguments = new List<string> { "verifiers", "--sandbox-only", "--runs", $"{warm}", "--cold-runs", $"{cold}" };
                if (parse.GetValue(config) is { } file) arguments.AddRange(["--config", Path.GetFullPath(file)]);
                foreach (var pair in parse.GetValue(set) ?? []) arguments.AddRange(["--set", pair]);
                return arguments;
            }
            VerifierBench.Run(report, TimeSpan.FromSeconds(System.Math.Max(0.5, parse.GetValue(seconds))), settings.Rewards.Code, warm, cold,
                parse.GetValue(rootOnly) ? null : Child);
            report.Finish();
            return ExitCodes.Success;
        }));
        return command;
    }
}
