namespace R1Actors.Rewards.Code;

/// <summary>What one sandboxed program may use (HOCON <c>r1.rewards.code.limits</c>). Wall and CPU time are per test case.</summary>
public sealed record SandboxLimits
{
    public double CpuSeconds { get; init; } = 2;
    public double WallSeconds { get; init; } = 4;
    public long MemoryBytes { get; init; } = 512L << 20;
    public long FileBytes { get; init; } = 4L << 20;
    /// <summary>Size of the program's tmpfs work folder and /tmp (namespaces only).</summary>
    public long DiskBytes { get; init; } = 16L << 20;
    /// <summary>Stdout plus stderr of one run, and the largest value a function may return.</summary>
    public long OutputBytes { get; init; } = 1L << 20;
    public int Processes { get; init; } = 16;
}

/// <summary>Which isolation the sandbox uses: the strongest available (<see cref="Auto"/>) or a demanded one.</summary>
public enum IsolationPreference { Auto, Namespaces, Rlimits }

/// <summary>The code sandbox and the resilience around it (HOCON <c>r1.rewards.code</c>).</summary>
public sealed record SandboxSettings
{
    /// <summary>The interpreter programs run under; a bare name is looked up on PATH.</summary>
    public string Python { get; init; } = "python3";
    public IsolationPreference Isolation { get; init; } = IsolationPreference.Auto;
    public SandboxLimits Limits { get; init; } = new();
    /// <summary>Programs running at once (the bulkhead).</summary>
    public int MaxConcurrency { get; init; } = 2;
    /// <summary>Runs waiting for a slot before further ones are refused (scored 0 as a sandbox fault).</summary>
    public int QueueLimit { get; init; } = 256;
    /// <summary>Extra time for one run beyond the sum of its cases' wall limits (start-up, set-up).</summary>
    public TimeSpan RunOverhead { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Retries of a run that failed for a sandbox fault (never for the program's own failure).</summary>
    public int InfrastructureRetries { get; init; } = 1;
    /// <summary>Fraction of sandbox faults among recent runs that opens the circuit.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;
    public int BreakerMinimumThroughput { get; init; } = 10;
    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>First of the uids programs run as (two per concurrent slot: program and tester); used as root only.</summary>
    public int BaseUid { get; init; } = 3_000_000;
    /// <summary>Folder in which this process makes its private scratch folder; null: the temporary folder (<c>TMPDIR</c>).</summary>
    public string? ScratchParent { get; init; }
    /// <summary>Warm: one long-lived server per slot forks every program (the default). Cold: a new server per job (slow; for comparison).</summary>
    public bool WarmPool { get; init; } = true;
    /// <summary>Jobs one warm server runs before it is replaced by a fresh one (bounds whatever a long-lived interpreter accumulates).</summary>
    public int ServerRuns { get; init; } = 1000;
}
