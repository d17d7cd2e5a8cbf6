using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Rewards.Code;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// <c>r1actors-bench verifiers</c>: math verifications per second on one core over a realistic mix of
/// completions (GSM8K integers, MATH fractions, roots, expressions, intervals, tuples; right and wrong;
/// short and long reasoning), then the code sandbox (<see cref="SandboxBench"/>) as this user and, as root,
/// again as nobody; the last two figures check the warm pool against its bars (≥ 100 runs/s, ≤ 20 ms).
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

    /// <summary>Math first, then the sandbox as this user, then (as root, when <paramref name="unprivileged"/> names a user) the sandbox again as that user in a child process.</summary>
    public static void Run(BenchReport report, TimeSpan mathDuration, SandboxSettings sandboxSettings, int warmRuns, int coldRuns, Func<IReadOnlyList<string>>? unprivileged)
    {
        report.Section("math answers (one thread)");
        var perCore = MathPerCore(mathDuration);
        report.Figure("math_verifications_per_second_per_core", "math verifications per second per core", perCore, "/s", "F0");
        report.Section($"code sandbox as {(Environment.IsPrivilegedProcess ? "root" : "this user")}");
        SandboxBench.Run(report, sandboxSettings, warmRuns, coldRuns);
        if (Environment.IsPrivilegedProcess && unprivileged is not null)
        {
            report.Section("code sandbox as nobody (a child run through setpriv)");
            RunUnprivileged(report, unprivileged());
        }
        // The bars hold only when the timed work was real: every correct run passed, no wrong one did, no fault.
        var honest = new[] { "failed", "wrong_passed", "sandbox_faults" }.All(k => report.Value($"warm_trivial_{k}") == 0);
        report.Check("warm_pool_meets_100_runs_per_second", "warm pool: >= 100 trivial runs/s two at a time, all correct", honest && report.Value("warm_trivial_runs_per_second") >= 100);
        report.Check("warm_pool_meets_20_ms_median", "warm pool: trivial verification <= 20 ms median, all correct", honest && report.Value("warm_trivial_median_ms") <= 20);
    }

    /// <summary>Runs <c>r1actors-bench verifiers --sandbox-only</c> as uid/gid 65534 and takes its figures under <c>nonroot_</c>.</summary>
    private static void RunUnprivileged(BenchReport report, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", Environment.ProcessPath! }.Concat(arguments)) info.ArgumentList.Add(argument);
        info.Environment["HOME"] = "/tmp";
        info.WorkingDirectory = "/";
        using var child = Process.Start(info)!;
        var errors = child.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (child.StandardOutput.ReadLine() is { } line) lines.Add(line);
        child.WaitForExit();
        if (child.ExitCode != 0 || lines.Count == 0)
        {
            report.Fact("nonroot_error", "the unprivileged run failed", $"exit code {child.ExitCode}: {errors.Result.Trim()}");
            return;
        }
        foreach (var line in lines.SkipLast(1)) Console.WriteLine(line);
        report.Include(JsonNode.Parse(lines[^1])!.AsObject());
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
}
