using System.CommandLine;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;

namespace R1Actors.Bench.Commands;

/// <summary><c>r1actors-bench memory</c>.</summary>
public static class MemoryBenchCommand
{
    public static Command Create()
    {
        var steps = new Option<long>("--steps") { Description = "Learner steps per child daemon", DefaultValueFactory = _ => 1000 };
        var early = new Option<long>("--early-step") { Description = "The step whose RSS the last step's is compared with", DefaultValueFactory = _ => 100 };
        var window = new Option<int>("--window") { Description = "Steps whose median RSS stands for each side (from the early step on; up to the last)", DefaultValueFactory = _ => 50 };
        var allocators = new Option<string[]>("--allocators")
        {
            Description = $"Allocator set-ups, space- or comma-separated, one child daemon each ({string.Join(", ", AllocatorVariant.Known.Select(v => v.Name))}), or all "
                + $"({string.Join(", ", AllocatorVariant.Comparison.Select(v => v.Name))}); each takes as long as its steps",
            DefaultValueFactory = _ => ["make-run"],
            AllowMultipleArgumentsPerToken = true,
        };
        var config = CommonOptions.Config();
        config.DefaultValueFactory = _ => Path.Combine("hocon", "default.conf");
        var set = CommonOptions.Set();
        var output = new Option<string>("--out") { Description = "Output folder: CSV files of RSS over time, each child's run folder and console log", DefaultValueFactory = _ => Path.Combine("runs", "bench-memory") };
        var command = new Command("memory", "Resident memory of the training daemon after 100 and 1,000 steps of the embedded default, per allocator (glibc, its mmap threshold, jemalloc)");
        foreach (var option in (Option[])[steps, early, window, allocators, config, set, output])
            command.Add(option);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var options = Options(parse.GetValue(steps), parse.GetValue(early), parse.GetValue(window), parse.GetValue(allocators)!, parse.GetValue(config)!,
                parse.GetValue(set) ?? [], parse.GetValue(output)!);
            using var stop = new StopSignals();
            MemoryBench.RunAsync(options, Console.Out, Console.Error, stop.Token).GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }

    private static MemoryBenchOptions Options(long steps, long early, int window, string[] allocators, string config, string[] sets, string output)
    {
        if (early < 1)
            throw new UsageException($"--early-step: expected at least 1, got {early}");
        if (steps <= early)
            throw new UsageException($"--steps: expected more than --early-step ({early}), got {steps}");
        if (window < 1 || window > steps - early)
            throw new UsageException($"--window: expected 1 to {steps - early} (the steps after --early-step), got {window}");
        if (!File.Exists(config))
            throw new UsageException($"--config: {config} does not exist (run from the repository root, or give the path)");
        IReadOnlyList<AllocatorVariant> variants;
        try
        {
            variants = AllocatorVariant.Parse(allocators);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--allocators: {e.Message}");
        }
        var spec = new DaemonRunSpec(config, steps, sets, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        return new MemoryBenchOptions(spec, early, window, variants, output);
    }
}
