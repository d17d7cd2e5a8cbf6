using System.CommandLine;
using R1Actors.Bench.Commands;
using R1Actors.Cli;

namespace R1Actors.Bench;

/// <summary>
/// <c>r1actors-bench …</c>: measurements, never pass/fail tests. Every subcommand prints human-readable
/// figures and, as its last line, one JSON object with the same figures (<see cref="Benchmarks.BenchReport"/>).
/// A separate executable so that benchmarks and simulated stages are not shipped in the daemon.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        RootCommand root =
        [
            SamplingBenchCommand.Create(),
            LearnerBenchCommand.Create(),
            VerifiersBenchCommand.Create(),
            PipelineBenchCommand.Create(),
            PipelineNodesBenchCommand.Create(),
            SamplerNodeCommand.Create(),
            MemoryBenchCommand.Create(),
        ];
        root.Description = "Measure throughput and memory; the last line of output is one JSON object";
        return RootCommandFactory.Run(root, "r1actors-bench", args);
    }
}
