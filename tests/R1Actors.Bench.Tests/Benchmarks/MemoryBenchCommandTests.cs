using System.Globalization;
using System.Text.Json;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using R1Actors.Tests;

namespace R1Actors.Bench.Tests.Benchmarks;

/// <summary><c>r1actors-bench memory</c> as a user runs it: the built executable, from the repository root.</summary>
public sealed class MemoryBenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-bench-memory-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_bench_runs_a_child_daemon_per_allocator_and_ends_with_the_figures_as_json_and_the_curves_as_csv()
    {
        var run = BuiltExecutable.Run(BuiltExecutable.Bench, RepositoryPaths.Root, TimeSpan.FromMinutes(4),
            "memory", "--steps", "12", "--early-step", "4", "--window", "4", "--allocators", "make-run", "glibc-mallopt", "--out", _dir);

        Assert.True(run.ExitCode == ExitCodes.Success, $"exit code {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        using var json = JsonDocument.Parse(run.LastLine);
        var figures = json.RootElement;
        Assert.Equal("memory", figures.GetProperty("benchmark").GetString());
        Assert.Equal("make-run", figures.GetProperty("judged_on").GetString());
        var makeRun = figures.GetProperty("make_run_allocator").GetString();
        if (File.Exists(AllocatorVariant.JemallocPath))
            Assert.StartsWith("libjemalloc", makeRun, StringComparison.Ordinal);
        else
            Assert.Contains("MALLOC_MMAP_THRESHOLD_=131072 set before start", makeRun, StringComparison.Ordinal);
        Assert.StartsWith("glibc malloc, mmap threshold 131072 bytes set by mallopt", figures.GetProperty("glibc_mallopt_allocator").GetString(), StringComparison.Ordinal);
        foreach (var variant in (string[])["make_run", "glibc_mallopt"])
        {
            Assert.InRange(figures.GetProperty($"{variant}_rss_early_median_mib").GetDouble(), 50, 4096);
            Assert.InRange(figures.GetProperty($"{variant}_peak_rss_mib").GetDouble(), figures.GetProperty($"{variant}_rss_final_mib").GetDouble(), 8192);
            Assert.True(figures.GetProperty($"{variant}_steps_per_s").GetDouble() > 0);
        }
        Assert.Equal(JsonValueKind.Number, figures.GetProperty("growth_percent").ValueKind);
        Assert.Contains(figures.GetProperty("within_bar").ValueKind, (JsonValueKind[])[JsonValueKind.True, JsonValueKind.False]);

        foreach (var variant in (string[])["make-run", "glibc-mallopt"])
        {
            var curve = File.ReadAllLines(Path.Combine(_dir, variant, "steps.csv"));
            Assert.Equal("step,elapsed_s,rss_mib,dotnet_committed_mib", curve[0]);
            Assert.Equal(Enumerable.Range(1, 12).Select(s => s.ToString(CultureInfo.InvariantCulture)), curve.Skip(1).Select(l => l.Split(',')[0]));
            Assert.Equal("elapsed_s,rss_mib,rss_anon_mib,rss_file_mib,peak_rss_mib", File.ReadLines(Path.Combine(_dir, variant, "timeline.csv")).First());
        }
        Assert.Equal("step,make-run,glibc-mallopt", File.ReadLines(Path.Combine(_dir, "rss-by-step.csv")).First());
    }

    [Theory]
    [InlineData("--window: expected 1 to 20 (the steps after --early-step), got 50", "--steps", "100", "--early-step", "80", "--window", "50")]
    [InlineData("--steps: expected more than --early-step (100), got 50", "--steps", "50")]
    [InlineData("--early-step: expected at least 1, got 0", "--early-step", "0")]
    [InlineData("--allocators: unknown allocator tcmalloc; expected all or any of make-run, glibc", "--allocators", "glibc", "tcmalloc")]
    [InlineData("--config: missing.conf does not exist", "--config", "missing.conf")]
    public void A_bad_option_exits_with_code_2_and_says_what_was_wrong_before_anything_runs(string message, params string[] options)
    {
        var output = Path.Combine(_dir, "out");

        var run = InProcessCommand.Capture(() => Program.Main(["memory", .. options, "--out", output]));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    // The built executable: the test needs a working directory without hocon/, which one process cannot give one test.
    [Fact]
    public void Outside_the_repository_the_default_configuration_is_missing_and_the_error_says_where_to_run()
    {
        var run = BuiltExecutable.Run(BuiltExecutable.Bench, _dir, TimeSpan.FromMinutes(1), "memory");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--config: hocon/default.conf does not exist (run from the repository root, or give the path)", run.Stderr, StringComparison.Ordinal);
    }
}
