using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands.Bench;

/// <summary><c>r1actors bench memory</c>.</summary>
public static class MemoryBenchCommand
{
    public static Command Create()
    {
        var command = new Command("memory", "Resident memory of the training daemon after 100 and 1,000 steps of the embedded default");
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("bench memory")));
        return command;
    }
}
