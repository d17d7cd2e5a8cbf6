using System.Diagnostics;
using R1Actors.Rewards.Code;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// The code-sandbox half of <c>r1actors-bench verifiers</c>, as the user running it (root or not): for the warm
/// pool and for cold spawn (a fresh server per job, what a sandbox without a fork server pays), and for a
/// trivial stdin/stdout program and a HumanEval-style function with its test code, it times
/// <list type="bullet">
/// <item>throughput: runs per second with two at a time (two slots, the default bulkhead), and</item>
/// <item>latency: one verification end to end through <see cref="ResilientSandbox"/> (the path the code reward
///   takes), one after another, median and p99; beside a bare <c>python3 -c pass</c>.</item>
/// </list>
/// The work is checked: every timed run of a correct program must pass, and a wrong program run between
/// them must fail; both counts are reported.
/// </summary>
public static class SandboxBench
{
    private static readonly SandboxJob Trivial = new("print(1)\n", [new StdioCase("", "1")], null, null);
    private static readonly SandboxJob TrivialWrong = new("print(2)\n", [new StdioCase("", "1")], null, null);

    private const string HumanEvalProgram = """
        from typing import List


        def has_close_elements(numbers: List[float], threshold: float) -> bool:
            for i, a in enumerate(numbers):
                for j, b in enumerate(numbers):
                    if i != j and abs(a - b) < threshold:
                        return True
            return False
        """;

    private const string HumanEvalTests = """
        def check(candidate):
            assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
            assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
            assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True
            assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False
            assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True
            assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True
            assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False
        """;

    private static readonly SandboxJob HumanEval = new(HumanEvalProgram, [], HumanEvalTests, "has_close_elements");
    private static readonly SandboxJob HumanEvalWrong = new(HumanEvalProgram.Replace("return True", "return False", StringComparison.Ordinal), [], HumanEvalTests, "has_close_elements");

    /// <summary>Runs every measurement; figure keys start with <paramref name="prefix"/> (empty as the invoking user, <c>nonroot_</c> for the child run as nobody).</summary>
    public static void Run(BenchReport report, SandboxSettings settings, int warmRuns, int coldRuns, string prefix = "")
    {
        var twoAtATime = settings with { MaxConcurrency = 2 };
        using var environment = SandboxEnvironment.Detect(twoAtATime);
        report.Fact($"{prefix}sandbox_user", "user", Environment.IsPrivilegedProcess ? "root" : $"uid {Uid()}");
        report.Fact($"{prefix}sandbox_isolation", "isolation level", environment.Level.ToString());
        report.Fact($"{prefix}sandbox_isolation_details", "isolation", environment.Description);
        var bare = Percentiles(Enumerable.Range(0, 21).Select(_ => Time(() => BarePython(environment.Python))).Skip(1).ToList());
        report.Figure($"{prefix}bare_python_median_ms", "bare `python3 -c pass`, median latency", bare.Median, "ms");
        foreach (var (pool, runs) in new[] { ("warm", warmRuns), ("cold", coldRuns) })
        {
            var poolSettings = twoAtATime with { WarmPool = pool == "warm" };
            using var process = new ProcessSandbox(environment, poolSettings, TimeProvider.System);
            var sandbox = new ResilientSandbox(process, poolSettings, TimeProvider.System);
            foreach (var (workload, job, wrong) in new[] { ("trivial", Trivial, TrivialWrong), ("humaneval", HumanEval, HumanEvalWrong) })
            {
                var key = $"{prefix}{pool}_{workload}";
                report.Section($"{prefix}{pool} pool, {workload} program");
                Measure(report, sandbox, key, job, wrong, runs);
            }
            report.Figure($"{prefix}{pool}_servers_started", "sandbox servers started", process.ServersStarted, "", "F0");
        }
    }

    private static void Measure(BenchReport report, ResilientSandbox sandbox, string key, SandboxJob job, SandboxJob wrong, int runs)
    {
        var faultsBefore = sandbox.Faults;
        RunMany(sandbox, job, 4); // warm-up: servers started, page cache
        var watch = Stopwatch.StartNew();
        var failed = RunMany(sandbox, job, runs);
        var throughput = runs / watch.Elapsed.TotalSeconds;
        var latencies = new List<double>();
        var wrongPassed = 0;
        for (var i = 0; i < Math.Max(10, runs / 2); i++)
        {
            var elapsed = Time(() => failed += RunMany(sandbox, job, 1));
            latencies.Add(elapsed);
            if (i % 10 == 0) wrongPassed += RunMany(sandbox, wrong, 1) == 0 ? 1 : 0;
        }
        var latency = Percentiles(latencies);
        report.Figure($"{key}_runs_per_second", $"runs per second, 2 at a time ({runs} runs)", throughput, "/s");
        report.Figure($"{key}_median_ms", $"one verification, median latency ({latencies.Count} runs)", latency.Median, "ms");
        report.Figure($"{key}_p99_ms", "one verification, p99 latency", latency.P99, "ms");
        report.Figure($"{key}_failed", "correct runs that did not pass (should be 0)", failed, "", "F0");
        report.Figure($"{key}_wrong_passed", "wrong programs that passed (should be 0)", wrongPassed, "", "F0");
        report.Figure($"{key}_sandbox_faults", "sandbox faults (should be 0)", sandbox.Faults - faultsBefore, "", "F0");
    }

    /// <summary>Runs the job <paramref name="runs"/> times, two at a time (as two verifiers would); returns how many did not pass.</summary>
    private static int RunMany(ICodeSandbox sandbox, SandboxJob job, int runs)
    {
        var failed = 0;
        var next = -1;
        async Task Worker()
        {
            while (Interlocked.Increment(ref next) < runs)
            {
                if (!(await sandbox.RunAsync(job, CancellationToken.None).ConfigureAwait(false)).Passed) Interlocked.Increment(ref failed);
            }
        }
        Task.WhenAll(Worker(), Worker()).GetAwaiter().GetResult();
        return failed;
    }

    private static void BarePython(string python)
    {
        using var process = Process.Start(new ProcessStartInfo(python, "-c pass") { UseShellExecute = false })!;
        process.WaitForExit();
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static (double Median, double P99) Percentiles(List<double> values)
    {
        var sorted = values.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return (At(0.5), At(0.99));
    }

    private static string Uid() => File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] ?? "?";
}
