using System.Diagnostics;

namespace R1Actors.Tests;

/// <summary>What a built executable (<c>r1actors</c>, <c>r1actors-bench</c>) did: its exit code and both output streams.</summary>
internal sealed record ExecutableRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The last non-empty line of stdout (a bench's JSON figures).</summary>
    public string LastLine => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
}

/// <summary>
/// Runs an apphost that the build copies beside the tests (the daemon <c>r1actors</c>, or <c>r1actors-bench</c>
/// where the tests reference the bench), as a user would from a shell. This file is shared by both test projects.
/// </summary>
internal static class BuiltExecutable
{
    public const string Daemon = "r1actors";

    public const string Bench = "r1actors-bench";

    /// <summary>Runs the daemon, <c>r1actors</c>.</summary>
    public static ExecutableRun Run(string workingDirectory, TimeSpan limit, params string[] arguments) =>
        Run(Daemon, workingDirectory, limit, arguments);

    public static ExecutableRun Run(string executable, string workingDirectory, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{executable} {string.Join(' ', arguments)} did not finish within {limit}\n{stdout.Result}{stderr.Result}");
        }
        return new ExecutableRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
