using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands.Bench;

/// <summary><c>r1actors bench verifiers</c>.</summary>
public static class VerifiersBenchCommand
{
    public static Command Create()
    {
        var command = new Command("verifiers", "Math verifications/s per core, sandboxed Python runs/s, sandbox overhead over bare python3");
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("bench verifiers")));
        return command;
    }
}
