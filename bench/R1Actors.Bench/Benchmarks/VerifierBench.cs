using System.Diagnostics;
using System.Text.Json;
using R1Actors.Rewards.Code;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// <c>r1actors-bench verifiers</c>: math verifications per second on one core over a realistic mix of
/// completions (GSM8K integers, MATH fractions, roots, expressions, intervals, tuples; right and wrong;
/// short and long reasoning), sandboxed Python runs per second with two at a time for a trivial program,
/// and the latency one sandboxed run adds over a bare <c>python3 -c pass</c>.
/// </summary>
public static class VerifierBench
{
    private static readonly (string Answer, string Reference)[] MathMix =
    [
        ("72", "Natalia sold 48/2 = 24 clips in May. 48+24 = 72.\n#### 72"),
        ("1,080", "#### 1080"),
        ("18", "#### 19"),
        ("\\frac{3}{4}", "0.75"),
        ("\\dfrac{5}{6}", "\\frac{5}{6}"),
        ("2\\sqrt{3}", "\\sqrt{12}"),
        ("3\\sqrt{2}", "\\sqrt{12}"),
        ("x^2+2x+1", "(x+1)^2"),
        ("\\frac{\\pi}{6}", "\\pi/6"),
        ("[1, 2)", "[1,2)"),
        ("(3, -1)", "(3,-1)"),
        ("\\{1, 2, 3\\}", "\\{3, 2, 1\\}"),
        ("x = 5", "5"),
        ("12\\%", "12"),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
        ("(-\\infty, 3) \\cup (5, \\infty)", "(-\\infty,3)\\cup(5,\\infty)"),
    ];

    public static void Run(BenchReport report, TimeSpan mathDuration, int sandboxRuns, SandboxSettings sandboxSettings)
    {
        report.Section("math answers (one thread)");
        var perCore = MathPerCore(mathDuration);
        report.Figure("math_verifications_per_second_per_core", "math verifications per second per core", perCore, "/s", "F0");
        report.Section("code sandbox");
        using var environment = SandboxEnvironment.Detect(sandboxSettings);
        report.Fact("sandbox_isolation", "isolation level", environment.Level.ToString());
        var twoCores = sandboxSettings with { MaxConcurrency = 2 };
        var sandbox = new ResilientSandbox(new ProcessSandbox(environment, twoCores, TimeProvider.System), twoCores, TimeProvider.System);
        var job = new SandboxJob("print(1)\n", [new StdioCase("", "1")], null, null);
        RunMany(sandbox, job, 4); // warm-up: page cache, JIT
        var watch = Stopwatch.StartNew();
        var failures = RunMany(sandbox, job, sandboxRuns);
        report.Figure("sandboxed_python_runs_per_second_2_cores", $"sandboxed python runs per second, 2 at a time ({sandboxRuns} runs)", sandboxRuns / watch.Elapsed.TotalSeconds, "/s");
        report.Figure("sandboxed_runs_failed", "runs that did not pass (should be 0)", failures, "", "F0");
        var sandboxed = MeanMilliseconds(10, () => RunMany(sandbox, job, 1));
        var bare = MeanMilliseconds(10, () => BarePython(environment.Python));
        report.Figure("sandboxed_run_ms", "one sandboxed run, mean latency", sandboxed, "ms");
        report.Figure("bare_python_ms", "bare `python3 -c pass`, mean latency", bare, "ms");
        report.Figure("sandbox_overhead_ms", "overhead of one sandboxed run over bare python3", sandboxed - bare, "ms");
    }

    private static double MathPerCore(TimeSpan duration)
    {
        var reward = new MathReward(new MathSettings());
        var filler = string.Concat(Enumerable.Repeat("We add the terms carefully and check each step. ", 30));
        var tasks = MathMix.Select(m => (
            Task: new TaskSpec(TaskKinds.Math, new Dictionary<string, JsonElement> { ["reference"] = JsonSerializer.SerializeToElement(m.Reference) }),
            Completion: $"<think>{filler}</think> <answer>{m.Answer}</answer>")).ToArray();
        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            foreach (var (task, completion) in tasks) reward.Score(task, completion);
            count += tasks.Length;
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    private static int RunMany(ICodeSandbox sandbox, SandboxJob job, int runs)
    {
        var results = Task.WhenAll(Enumerable.Range(0, runs).Select(_ => sandbox.RunAsync(job, CancellationToken.None))).GetAwaiter().GetResult();
        return results.Count(r => !r.Passed);
    }

    private static void BarePython(string python)
    {
        using var process = Process.Start(new ProcessStartInfo(python, "-c pass") { UseShellExecute = false })!;
        process.WaitForExit();
    }

    private static double MeanMilliseconds(int repeats, Action action)
    {
        action();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) action();
        return watch.Elapsed.TotalMilliseconds / repeats;
    }
}
