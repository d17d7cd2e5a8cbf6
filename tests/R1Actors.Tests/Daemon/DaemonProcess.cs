using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// <c>r1actors train</c> as a child process (<c>dotnet r1actors.dll</c> from the test output), started in the
/// repository root so the shipped configs and base model resolve. Its output is drained as it comes (kept for
/// failure messages); <see cref="Dispose"/> kills it if it is still running, so a failing test leaves nothing behind.
/// </summary>
internal sealed partial class DaemonProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the daemon wrote to stdout and stderr so far (its console output is off in these tests: errors only).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static DaemonProcess Train(string runDirectory, IEnumerable<string> sets) => Start("train", runDirectory, sets);

    /// <summary><c>r1actors COMMAND --config hocon/default.conf --run-dir DIR [--set …] [extra arguments]</c>.</summary>
    public static DaemonProcess Start(string command, string runDirectory, IEnumerable<string> sets, params string[] extra)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "r1actors.dll"), command,
                     "--config", RepositoryPaths.File("hocon", "default.conf"), "--run-dir", runDirectory }.Concat(extra))
            start.ArgumentList.Add(argument);
        foreach (var set in sets)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(set);
        }
        var process = new Process { StartInfo = start };
        var daemon = new DaemonProcess(process);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Waits for the daemon to exit by itself; fails the test (after killing it) when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"the daemon did not exit within {timeout}; its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed.</summary>
    public void Kill()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Sends a signal the daemon handles (SIGTERM, SIGINT).</summary>
    public void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
