using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>One detected sandbox for the whole test class, with tight limits so that hostile programs end fast.</summary>
public sealed class SandboxFixture : IDisposable
{
    public SandboxFixture()
    {
        Settings = new SandboxSettings
        {
            Limits = new SandboxLimits { CpuSeconds = 1, WallSeconds = 1.5, MemoryBytes = 128L << 20, FileBytes = 1L << 20, DiskBytes = 4L << 20, OutputBytes = 64 << 10, Processes = 8 },
            MaxConcurrency = 2,
            RunOverhead = TimeSpan.FromSeconds(3),
        };
        Environment = SandboxEnvironment.Detect(Settings);
        Process = new ProcessSandbox(Environment, Settings, TimeProvider.System);
        Sandbox = new ResilientSandbox(Process, Settings, TimeProvider.System);
    }

    public SandboxSettings Settings { get; }
    public SandboxEnvironment Environment { get; }
    public ProcessSandbox Process { get; }
    public ResilientSandbox Sandbox { get; }

    public Task<ExecutionResult> RunStdio(string program, string stdin, string stdout) =>
        Sandbox.RunAsync(new SandboxJob(program, [new StdioCase(stdin, stdout)], null, null), CancellationToken.None);

    public Task<ExecutionResult> RunTests(string program, string testCode, string? entryPoint = null) =>
        Sandbox.RunAsync(new SandboxJob(program, [], testCode, entryPoint), CancellationToken.None);

    /// <summary>
    /// Processes a run left behind, which must be none after any run: host processes running as one of the
    /// sandbox's uids (as root), and whatever lives under this test process's sandbox servers other than each
    /// server's template (its first child) — the only check that sees programs without root.
    /// </summary>
    public int SandboxProcessesAlive()
    {
        var uids = Enumerable.Range(Settings.BaseUid, 2 * Settings.MaxConcurrency).ToHashSet();
        var table = HostProcesses.Read();
        var count = table.Values.Count(p => uids.Contains(p.Uid));
        foreach (var server in HostProcesses.Servers(table, System.Environment.ProcessId))
        {
            var descendants = HostProcesses.Descendants(table, server).ToList();
            var template = table.Values.Where(p => p.Parent == server).OrderBy(p => p.Started).Select(p => p.Pid).FirstOrDefault();
            count += descendants.Count(pid => pid != template && table[pid].Uid is var uid && !uids.Contains(uid));
        }
        return count;
    }

    public void Dispose()
    {
        Process.Dispose();
        Environment.Dispose();
    }
}

/// <summary>The host's process table as the sandbox tests read it from /proc.</summary>
public static class HostProcesses
{
    public sealed record Entry(int Pid, int Parent, long Started, int Uid, string CommandLine);

    public static Dictionary<int, Entry> Read()
    {
        var table = new Dictionary<int, Entry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var fields = File.ReadAllText(Path.Combine(dir, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[0] is "Z" or "X") continue;
                var uidLine = File.ReadLines(Path.Combine(dir, "status")).First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                var uid = int.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                table[pid] = new Entry(pid, int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture), uid, commandLine);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException) { }
        }
        return table;
    }

    /// <summary>The sandbox servers (judge.py) started by <paramref name="owner"/>, directly or through unshare.</summary>
    public static IEnumerable<int> Servers(Dictionary<int, Entry> table, int owner)
    {
        bool IsUnshare(Entry p) => Path.GetFileName(p.CommandLine.Split(' ')[0]) == "unshare";
        bool IsJudge(Entry p) => p.CommandLine.Contains("judge.py", StringComparison.Ordinal) && !IsUnshare(p);
        return table.Values
            .Where(p => IsJudge(p) && (p.Parent == owner || (table.TryGetValue(p.Parent, out var parent) && IsUnshare(parent) && parent.Parent == owner)))
            .Select(p => p.Pid);
    }

    public static IEnumerable<int> Descendants(Dictionary<int, Entry> table, int root)
    {
        var children = table.Values.ToLookup(p => p.Parent, p => p.Pid);
        var stack = new Stack<int>(children[root]);
        while (stack.Count > 0)
        {
            var pid = stack.Pop();
            yield return pid;
            foreach (var child in children[pid]) stack.Push(child);
        }
    }
}
/// <summary>Sandbox tests share one sandbox (its uids are per slot) and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}
