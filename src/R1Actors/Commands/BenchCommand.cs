using System.CommandLine;
using R1Actors.Commands.Bench;

namespace R1Actors.Commands;

/// <summary>
/// <c>r1actors bench …</c>: measurements, never pass/fail tests. Every subcommand prints human-readable
/// figures and, as its last line, one JSON object with the same figures (<see cref="Benchmarks.BenchReport"/>).
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure throughput and memory; the last line of output is one JSON object");
        command.Add(SamplingBenchCommand.Create());
        command.Add(LearnerBenchCommand.Create());
        command.Add(VerifiersBenchCommand.Create());
        command.Add(PipelineBenchCommand.Create());
        command.Add(MemoryBenchCommand.Create());
        return command;
    }
}
