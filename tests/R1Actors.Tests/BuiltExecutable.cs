using System.Diagnostics;

namespace R1Actors.Tests;

/// <summary>What the built <c>r1actors</c> executable did: its exit code and both output streams.</summary>
internal sealed record ExecutableRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The last non-empty line of stdout (a bench's JSON figures).</summary>
    public string LastLine => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
}

/// <summary>Runs the <c>r1actors</c> apphost that the build copies beside the tests, as a user would from a shell.</summary>
internal static class BuiltExecutable
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "r1actors");

    public static ExecutableRun Run(string workingDirectory, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
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
            Assert.Fail($"r1actors {string.Join(' ', arguments)} did not finish within {limit}\n{stdout.Result}{stderr.Result}");
        }
        return new ExecutableRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
