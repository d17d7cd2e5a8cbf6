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

    /// <summary>Host processes running as one of the sandbox's uids: must be none after any run.</summary>
    public int SandboxProcessesAlive()
    {
        var uids = Enumerable.Range(Settings.BaseUid, 2 * Settings.MaxConcurrency).ToHashSet();
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var uidLine = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine is not null && uids.Contains(int.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]))) count++;
            }
            catch (IOException) { }
        }
        return count;
    }

    public void Dispose() => Environment.Dispose();
}

/// <summary>Sandbox tests share one sandbox (its uids are per slot) and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}
