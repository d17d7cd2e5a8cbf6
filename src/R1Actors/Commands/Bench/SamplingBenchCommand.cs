using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands.Bench;

/// <summary><c>r1actors bench sampling</c>.</summary>
public static class SamplingBenchCommand
{
    public static Command Create()
    {
        var command = new Command("sampling", "Sampling tokens/s with and without the KV cache, achieved GFLOP/s against this machine's matmul ceiling, memory over 1,000 generate calls");
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("bench sampling")));
        return command;
    }
}
