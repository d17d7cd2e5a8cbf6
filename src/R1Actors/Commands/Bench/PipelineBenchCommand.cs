using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands.Bench;

/// <summary><c>r1actors bench pipeline</c>.</summary>
public static class PipelineBenchCommand
{
    public static Command Create()
    {
        var command = new Command("pipeline", "Actor pipeline with simulated devices: busy fractions, throughput against the slowest-stage bound, k=1 vs k=0, overhead per rollout");
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("bench pipeline")));
        return command;
    }
}
