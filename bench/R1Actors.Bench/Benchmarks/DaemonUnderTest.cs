using System.Diagnostics;
using System.Globalization;
using R1Actors.Hosting;
using R1Actors.Reporting;

namespace R1Actors.Bench.Benchmarks;

/// <summary>What the memory bench asks of each child daemon.</summary>
/// <param name="ConfigFile">The configuration it trains (the embedded default: hocon/default.conf).</param>
/// <param name="Steps">Learner steps to run (r1.pipeline.max-steps).</param>
/// <param name="Sets">Extra <c>--set</c> overrides, after the bench's own.</param>
/// <param name="SampleEvery">How often the bench reads the child's /proc/PID/status.</param>
/// <param name="ProgressEvery">How often a progress line goes to stderr.</param>
public sealed record DaemonRunSpec(string ConfigFile, long Steps, IReadOnlyList<string> Sets, TimeSpan SampleEvery, TimeSpan ProgressEvery);

/// <summary>One child daemon's memory, as it reported it after every step and as the bench saw it from outside.</summary>
public sealed record DaemonMemoryRun(
    AllocatorVariant Variant, string Allocator, IReadOnlyList<StepMemory> Steps, IReadOnlyList<TimelineMemory> Timeline, TimeSpan Wall, string Folder)
{
    public long PeakResidentBytes => Timeline.Count == 0 ? 0 : Timeline.Max(t => t.Memory.PeakResident);

    public double StepsPerSecond
    {
        get
        {
            if (Steps.Count < 2)
                return double.NaN;
            var seconds = Steps[^1].ElapsedSeconds - Steps[0].ElapsedSeconds;
            return seconds > 0 ? (Steps[^1].Step - Steps[0].Step) / seconds : double.NaN;
        }
    }
}

/// <summary>
/// Runs <c>r1actors train</c> as a child process — the real daemon, hosted as in production, with the allocator
/// set up before it starts — in a fresh run folder, and collects its memory: the ResidentMemoryBytes and
/// ManagedCommittedBytes the daemon puts on each Step event (sampled right after the step, so every sample
/// catches the same moment of the loop), and VmRSS/VmHWM read from its /proc/PID/status once a second.
/// Held-out evaluation is off and the time budget lifted, so the run is the training loop alone, checkpoints included.
/// </summary>
public sealed class DaemonUnderTest(DaemonRunSpec spec, TextWriter progress)
{
    public async Task<DaemonMemoryRun> RunAsync(AllocatorVariant variant, string folder, CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);   // a leftover checkpoint would make the daemon resume
        var runDirectory = Path.Combine(folder, "run");
        Directory.CreateDirectory(runDirectory);
        var start = StartInfo(variant, runDirectory);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var console = new StreamWriter(Path.Combine(folder, "console.log")) { AutoFlush = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, e) => Append(console, e.Data);
        process.ErrorDataReceived += (_, e) => Append(console, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        List<TimelineMemory> timeline;
        try
        {
            timeline = await SampleUntilExitAsync(process, variant, runDirectory, clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        lock (console)
            console.Flush();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"the {variant.Name} daemon exited with code {process.ExitCode}; its output is in {Path.Combine(folder, "console.log")}:{Environment.NewLine}{Tail(Path.Combine(folder, "console.log"))}");
        }
        var log = ClefRunLog.Read(runDirectory);
        var steps = StepsOf(log, started);
        MemoryCsv.WriteSteps(Path.Combine(folder, "steps.csv"), steps);
        MemoryCsv.WriteTimeline(Path.Combine(folder, "timeline.csv"), timeline);
        var allocator = log.RunStarted.GetValueOrDefault("Allocator", "(not logged)");
        return new DaemonMemoryRun(variant, allocator, steps, timeline, clock.Elapsed, folder);
    }

    private ProcessStartInfo StartInfo(AllocatorVariant variant, string runDirectory)
    {
        var (file, leading) = Launcher();
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,   // not a terminal: plain log lines, no status line
        };
        var sets = new List<string>
        {
            $"r1.pipeline.max-steps={spec.Steps.ToString(CultureInfo.InvariantCulture)}",
            "r1.run.max-duration=0",
            "r1.eval.before-training=false",
            "r1.eval.after-training=false",
            "r1.eval.every-steps=0",
        };
        variant.Apply(start.Environment, sets);
        sets.AddRange(spec.Sets);
        foreach (var argument in (string[])[.. leading, "train", "--config", spec.ConfigFile, "--run-dir", runDirectory])
            start.ArgumentList.Add(argument);
        foreach (var set in sets)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(set);
        }
        return start;
    }

    /// <summary>
    /// The r1actors apphost beside this assembly (the bench references the daemon's project, so the build puts
    /// it there), or <c>dotnet r1actors.dll</c> where there is none.
    /// </summary>
    private static (string File, string[] Leading) Launcher()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "r1actors.exe" : "r1actors");
        return File.Exists(apphost) ? (apphost, []) : ("dotnet", [typeof(R1Actors.Program).Assembly.Location]);
    }

    private async Task<List<TimelineMemory>> SampleUntilExitAsync(
        Process process, AllocatorVariant variant, string runDirectory, Stopwatch clock, CancellationToken cancellationToken)
    {
        var timeline = new List<TimelineMemory>();
        var exited = process.WaitForExitAsync(cancellationToken);
        var nextProgress = spec.ProgressEvery;
        while (!exited.IsCompleted)
        {
            if (ProcessMemory.OfProcess(process.Id) is { } memory)
                timeline.Add(new TimelineMemory(clock.Elapsed.TotalSeconds, memory));
            if (clock.Elapsed >= nextProgress && timeline.Count > 0)
            {
                nextProgress += spec.ProgressEvery;
                Progress(variant, runDirectory, clock.Elapsed, timeline[^1].Memory);
            }
            await Task.WhenAny(exited, Task.Delay(spec.SampleEvery, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        return timeline;
    }

    private void Progress(AllocatorVariant variant, string runDirectory, TimeSpan elapsed, ProcessMemory memory)
    {
        long step = 0;
        try
        {
            step = ClefRunLog.Read(runDirectory).Steps.Keys.LastOrDefault();
        }
        catch (FileNotFoundException)
        {
            // the daemon has not written its log yet
        }
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  [{variant.Name}] {elapsed:hh\\:mm\\:ss}: step {step}/{spec.Steps}, RSS {memory.Resident / 1048576.0:F1} MiB"));
    }

    private static List<StepMemory> StepsOf(ClefRunLog log, DateTimeOffset started) =>
        [.. log.Steps
            .Where(s => s.Value.ContainsKey(MetricNames.ResidentMemoryBytes))
            .Select(s => new StepMemory(
                s.Key,
                log.StepTimes.TryGetValue(s.Key, out var time) ? (time - started).TotalSeconds : double.NaN,
                (long)s.Value[MetricNames.ResidentMemoryBytes],
                (long)s.Value.GetValueOrDefault(MetricNames.ManagedCommittedBytes)))];

    private static void Append(StreamWriter console, string? line)
    {
        if (line is null)
            return;
        lock (console)
            console.WriteLine(line);
    }

    private static string Tail(string path) => string.Join(Environment.NewLine, File.ReadLines(path).TakeLast(15));
}
