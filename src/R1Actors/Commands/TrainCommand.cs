using System.CommandLine;
using R1Actors.Cli;
using R1Actors.Daemon;
using R1Actors.Hosting;

namespace R1Actors.Commands;

/// <summary><c>r1actors train</c>: the training daemon.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a policy as a daemon (GRPO, rejection-sampling fine-tuning or SFT: r1.training.objective): resumes from the newest complete checkpoint in the run folder, stops cleanly on SIGTERM/SIGINT or at its step/time budget");
        var (config, set) = CommonOptions.AddConfiguration(command);
        var runDir = CommonOptions.RunDir("Run folder: logs, checkpoints, reports (default: runs/<r1.run.name>); a run resumes from its newest complete checkpoint");
        command.Add(runDir);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            using var context = RunContext.Open(parse.GetValue(config), parse.GetValue(set) ?? [], parse.GetValue(runDir), withStatusLine: true);
            var run = new TrainRun(context, TimeProvider.System);
            return DaemonHost.Run(run.RunAsync, context.Settings.Run.ShutdownTimeout);
        }));
        return command;
    }
}
