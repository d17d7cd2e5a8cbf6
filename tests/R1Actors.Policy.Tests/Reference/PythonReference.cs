using System.Diagnostics;

namespace R1Actors.Policy.Tests.Reference;

/// <summary>
/// Runs the numpy reference scripts with Debian's python3 and numpy (<c>apt-get install -y python3-numpy</c>,
/// done by the test set-up). A machine without them fails these tests with that remedy, never skips them.
/// </summary>
internal static class PythonReference
{
    private const string Python = "/usr/bin/python3";

    public static void Run(string script, params string[] arguments)
    {
        if (!File.Exists(Python))
            Assert.Fail($"{Python} is missing: the reference tests need Debian's python3 with numpy (apt-get install -y python3-numpy).");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Reference", script));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var errors = stderr.Result;
            var remedy = errors.Contains("No module named 'numpy'", StringComparison.Ordinal)
                ? " Install numpy for Debian's python3: apt-get install -y python3-numpy."
                : "";
            Assert.Fail($"{script} failed ({process.ExitCode}):{remedy}\n{errors}");
        }
    }
}
