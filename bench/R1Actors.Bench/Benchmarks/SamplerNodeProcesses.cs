using System.Diagnostics;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// The sampler nodes of one bench run: child processes of this executable's hidden <c>sampler-node</c> command, each
/// with its output in a log file of its own. A node stops when its standard input closes, so a bench that dies in any
/// way (an exception, a kill) takes its nodes with it; disposing closes their input, gives them a moment to leave the
/// cluster, and kills whatever is still running.
/// </summary>
public sealed class SamplerNodeProcesses(string folder) : IAsyncDisposable
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(15);

    private readonly List<Node> _nodes = [];
    private readonly TaskCompletionSource<string> _exitedEarly = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes, saying which and how, when a node exits before it is asked to.</summary>
    public Task<string> ExitedEarly => _exitedEarly.Task;

    public void Start(string name, IReadOnlyList<string> arguments)
    {
        var (file, leading) = Launcher();
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[.. leading, "sampler-node", .. arguments])
            start.ArgumentList.Add(argument);
        var node = new Node(name, new Process { StartInfo = start, EnableRaisingEvents = true }, Path.Combine(folder, $"{name}.log"));
        _nodes.Add(node);
        node.Process.OutputDataReceived += (_, e) => node.Append(e.Data);
        node.Process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        node.Process.Exited += (_, _) =>
        {
            if (!node.Stopping)
                _exitedEarly.TrySetResult($"sampler node {name} exited with code {node.Process.ExitCode} before it was stopped; the end of its log ({node.LogPath}):{Environment.NewLine}{node.Tail()}");
        };
        node.Process.Start();
        node.Process.BeginOutputReadLine();
        node.Process.BeginErrorReadLine();
    }

    /// <summary>The last lines of every node's log, for an error message.</summary>
    public string Logs() => string.Join(Environment.NewLine, _nodes.Select(n => $"--- {n.Name} ({n.LogPath}):{Environment.NewLine}{n.Tail()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Stopping = true;
            try
            {
                node.Process.StandardInput.Close();   // the node leaves the cluster and exits
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // it has already exited, or never started
            }
        }
        foreach (var node in _nodes)
        {
            try
            {
                using var timeout = new CancellationTokenSource(LeaveTimeout);
                await node.Process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
            {
                // still running past the timeout (killed below), or never started
            }
            finally
            {
                node.Kill();
                node.Dispose();
            }
        }
    }

    /// <summary>This executable's apphost, or <c>dotnet r1actors-bench.dll</c> where there is none.</summary>
    private static (string File, string[] Leading) Launcher()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "r1actors-bench.exe" : "r1actors-bench");
        return File.Exists(apphost) ? (apphost, []) : ("dotnet", [typeof(Program).Assembly.Location]);
    }

    private sealed class Node(string name, Process process, string logPath) : IDisposable
    {
        private const int TailLines = 25;
        private readonly StreamWriter _log = new(logPath) { AutoFlush = true };
        private readonly Queue<string> _tail = new();
        private volatile bool _stopping;

        public string Name => name;

        public Process Process => process;

        public string LogPath => logPath;

        public bool Stopping
        {
            get => _stopping;
            set => _stopping = value;
        }

        public void Append(string? line)
        {
            if (line is null)
                return;
            lock (_tail)
            {
                _log.WriteLine(line);
                _tail.Enqueue(line);
                if (_tail.Count > TailLines)
                    _tail.Dequeue();
            }
        }

        public string Tail()
        {
            lock (_tail)
                return string.Join(Environment.NewLine, _tail);
        }

        public void Kill()
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.WaitForExit();   // its output drained into the log
            }
            catch (InvalidOperationException)
            {
                // never started
            }
        }

        public void Dispose()
        {
            process.Dispose();
            lock (_tail)
                _log.Dispose();
        }
    }
}
