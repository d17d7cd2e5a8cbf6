using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands;

/// <summary><c>r1actors train</c>: the training daemon.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a policy with GRPO as a daemon: resumes from the newest complete checkpoint in the run folder, stops cleanly on SIGTERM/SIGINT");
        CommonOptions.AddConfiguration(command);
        command.Add(CommonOptions.RunDir());
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("train")));
        return command;
    }
}
