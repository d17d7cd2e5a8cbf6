using System.Text.Json;
using R1Actors.Cli;

namespace R1Actors.Tests.Benchmarks;

public sealed class MemoryBenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-bench-memory-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_bench_runs_the_daemon_as_a_child_and_leaves_its_memory_curve_and_a_json_line()
    {
        var stdout = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(stdout);
        int code;
        try
        {
            code = RootCommandFactory.Run(["bench", "memory", "--steps", "6", "--early-step", "2", "--window", "2",
                "--allocators", "glibc-mallopt", "--out", _dir, "--config", RepositoryPaths.File("hocon", "default.conf"),
                "--set", $"r1.model.path=\"{RepositoryPaths.File("models", "tiny-adder")}\""]);
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Equal(ExitCodes.Success, code);
        using var json = JsonDocument.Parse(stdout.ToString().TrimEnd().Split('\n')[^1]);
        var figures = json.RootElement;
        Assert.StartsWith("glibc malloc, mmap threshold 131072 bytes set by mallopt", figures.GetProperty("glibc_mallopt_allocator").GetString());
        Assert.InRange(figures.GetProperty("glibc_mallopt_rss_final_mib").GetDouble(), 50, 4096);
        Assert.Equal("glibc-mallopt", figures.GetProperty("judged_on").GetString());
        var curve = File.ReadAllLines(Path.Combine(_dir, "glibc-mallopt", "steps.csv"));
        Assert.Equal("step,elapsed_s,rss_mib,dotnet_committed_mib", curve[0]);
        Assert.Equal(Enumerable.Range(1, 6).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)), curve.Skip(1).Select(l => l.Split(',')[0]));
        Assert.True(File.ReadAllLines(Path.Combine(_dir, "glibc-mallopt", "timeline.csv")).Length > 1);
        Assert.True(File.Exists(Path.Combine(_dir, "rss-by-step.csv")));
    }

    [Fact]
    public void A_window_longer_than_the_steps_after_the_early_one_is_a_usage_error()
    {
        var code = RootCommandFactory.Run(["bench", "memory", "--steps", "100", "--early-step", "80", "--window", "50", "--out", _dir]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
