using System.Text.Json;
using R1Actors.Bench.Benchmarks;
using R1Actors.Hosting;
using R1Actors.Tests;

namespace R1Actors.Bench.Tests.Benchmarks;

public class MemoryBenchTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Growth_compares_the_medians_of_the_steps_after_the_early_mark_and_before_the_last()
    {
        // Flat at 300 MiB, except one sample caught in a 40 MiB burst right at the last step.
        var steps = Trace(1, 200, step => step == 200 ? 340 * MiB : 300 * MiB);

        var growth = MemoryGrowth.Measure(steps, earlyStep: 100, window: 20)!;

        Assert.Equal((100, 119), (growth.Early.FromStep, growth.Early.ToStep));
        Assert.Equal((181, 200), (growth.Final.FromStep, growth.Final.ToStep));
        Assert.Equal(0.0, growth.GrowthPercent, 9);
        Assert.Equal(40.0 / 300 * 100, growth.PointGrowthPercent, 9);
        Assert.True(growth.IsWithin(5));
    }

    [Fact]
    public void A_steady_leak_shows_as_growth_and_as_a_trend_per_thousand_steps()
    {
        // 200 MiB plus 100 KiB a step: 100,000 KiB (97.7 MiB) per 1,000 steps.
        var steps = Trace(1, 1000, step => 200 * MiB + step * 100 * 1024);

        var growth = MemoryGrowth.Measure(steps, earlyStep: 100, window: 50)!;

        Assert.Equal(1000 * 100 * 1024.0, growth.TrendBytesPerThousandSteps, 3);
        Assert.True(growth.GrowthPercent > 30);
        Assert.False(growth.IsWithin(5));
    }

    [Fact]
    public void Growth_is_not_measured_when_the_run_ends_inside_the_early_window()
    {
        Assert.Null(MemoryGrowth.Measure(Trace(1, 99, _ => 300 * MiB), earlyStep: 100, window: 50));
        Assert.Null(MemoryGrowth.Measure(Trace(1, 140, _ => 300 * MiB), earlyStep: 100, window: 50));
        Assert.NotNull(MemoryGrowth.Measure(Trace(1, 151, _ => 300 * MiB), earlyStep: 100, window: 50));
    }

    [Fact]
    public void The_report_prints_each_allocator_and_ends_with_one_json_object_judged_on_the_make_run_set_up()
    {
        var output = new StringWriter();
        var report = new BenchReport("memory", output);
        var glibc = Run(new GlibcDefaultAllocator(), step => 500 * MiB + step * 200 * 1024);   // grows ~30 %
        var makeRun = Run(new MakeRunAllocator(), _ => 320 * MiB);

        MemoryBench.WriteRun(report, glibc, earlyStep: 100, window: 50);
        MemoryBench.WriteRun(report, makeRun, earlyStep: 100, window: 50);
        MemoryBench.WriteVerdict(report, [glibc, makeRun], earlyStep: 100, window: 50);
        report.Finish();

        var lines = output.ToString().TrimEnd().Split('\n');
        using var json = JsonDocument.Parse(lines[^1]);
        var figures = json.RootElement;
        Assert.Equal("memory", figures.GetProperty("benchmark").GetString());
        Assert.Equal("make-run", figures.GetProperty("judged_on").GetString());
        Assert.True(figures.GetProperty("within_bar").GetBoolean());
        Assert.False(figures.GetProperty("glibc_within_bar").GetBoolean());
        Assert.Equal(320.0, figures.GetProperty("make_run_rss_final_median_mib").GetDouble(), 6);
        Assert.Equal("test allocator", figures.GetProperty("glibc_allocator").GetString());
        Assert.Contains(lines, l => l.StartsWith("glibc: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("growth of the median (judged against the bar)") && l.Contains('%'));
        Assert.Single(lines, l => l.StartsWith('{'));
    }

    [Fact]
    public void Allocator_variants_start_from_an_environment_cleared_of_allocator_settings()
    {
        var (environment, sets) = Applied(new GlibcDefaultAllocator());
        Assert.False(environment.ContainsKey("LD_PRELOAD"));
        Assert.False(environment.ContainsKey(MallocTuning.ThresholdVariable));
        Assert.Equal(["r1.torch.malloc-mmap-threshold=0"], sets);

        (environment, sets) = Applied(new GlibcEnvironmentAllocator());
        Assert.Equal("131072", environment[MallocTuning.ThresholdVariable]);
        Assert.False(environment.ContainsKey("LD_PRELOAD"));
        Assert.Equal(["r1.torch.malloc-mmap-threshold=0"], sets);

        (environment, sets) = Applied(new GlibcMalloptAllocator());
        Assert.False(environment.ContainsKey(MallocTuning.ThresholdVariable));
        Assert.Empty(sets);

        (environment, sets) = Applied(new MakeRunAllocator());   // the Makefile's RUNTIME_ENV
        Assert.Equal("131072", environment[MallocTuning.ThresholdVariable]);
        Assert.Equal(File.Exists(AllocatorVariant.JemallocPath) ? AllocatorVariant.JemallocPath : null, environment.GetValueOrDefault("LD_PRELOAD"));
        Assert.Empty(sets);

        (environment, _) = Applied(new JemallocAllocator());
        Assert.Equal(AllocatorVariant.JemallocPath, environment["LD_PRELOAD"]);
        Assert.Equal("kept", environment["HOME"]);
    }

    [Fact]
    public void The_make_run_variant_sets_what_the_makefile_gives_make_run()
    {
        var makefile = File.ReadAllLines(RepositoryPaths.File("Makefile"));
        var runtimeEnvironment = Assert.Single(makefile, l => l.StartsWith("RUNTIME_ENV :=", StringComparison.Ordinal));

        Assert.Contains($"{MallocTuning.ThresholdVariable}={AllocatorVariant.MakefileMmapThreshold} ", runtimeEnvironment, StringComparison.Ordinal);
        Assert.Contains("LD_PRELOAD=$(JEMALLOC)", runtimeEnvironment, StringComparison.Ordinal);
        Assert.Contains($"JEMALLOC := {AllocatorVariant.JemallocPath}", makefile);
        Assert.Contains(makefile, l => l.Contains("$(RUNTIME_ENV) $(BENCH) memory", StringComparison.Ordinal));
    }

    [Fact]
    public void All_means_one_child_per_distinct_set_up_names_may_be_comma_separated_and_unknown_or_no_names_are_refused()
    {
        Assert.Equal(["make-run", "glibc", "glibc-mallopt", "glibc-env"], AllocatorVariant.Parse(["all"]).Select(v => v.Name));
        Assert.Equal(["glibc", "jemalloc"], AllocatorVariant.Parse(["jemalloc", "glibc"]).Select(v => v.Name));
        Assert.Equal(["glibc-mallopt", "glibc-env"], AllocatorVariant.Parse(["glibc-env,glibc-mallopt"]).Select(v => v.Name));

        var error = Assert.Throws<ArgumentException>(() => AllocatorVariant.Parse(["tcmalloc"]));
        Assert.Contains("tcmalloc", error.Message);
        Assert.Contains("glibc-mallopt", error.Message);
        Assert.Throws<ArgumentException>(() => AllocatorVariant.Parse([","]));
    }

    private static (Dictionary<string, string?> Environment, List<string> Sets) Applied(AllocatorVariant variant)
    {
        var environment = new Dictionary<string, string?>
        {
            ["LD_PRELOAD"] = "/somewhere/libother.so",
            [MallocTuning.ThresholdVariable] = "4096",
            ["HOME"] = "kept",
        };
        var sets = new List<string>();
        variant.Apply(environment, sets);
        return (environment, sets);
    }

    private static List<StepMemory> Trace(long from, long to, Func<long, long> resident) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => new StepMemory(s, s * 0.25, resident(s), 20 * MiB))];

    private static DaemonMemoryRun Run(AllocatorVariant variant, Func<long, long> resident) =>
        new(variant, "test allocator", Trace(1, 1000, resident),
            [new TimelineMemory(1, new ProcessMemory(600 * MiB, 500 * MiB, 100 * MiB, 650 * MiB))], TimeSpan.FromMinutes(5), "/tmp/none");
}
