using System.Text.Json.Nodes;

namespace R1Actors.Rewards.Code;

/// <summary>How strongly a run was isolated; every <see cref="ExecutionResult"/> says which.</summary>
public enum IsolationLevel
{
    /// <summary>pid, mount, net, ipc and uts namespaces, a read-only minimal root, cgroup v1 pids and memory limits, rlimits, own uid.</summary>
    NamespacesAndCgroups,
    /// <summary>The namespaces and rlimits without cgroups: processes bounded by RLIMIT_NPROC, memory by RLIMIT_AS per process.</summary>
    Namespaces,
    /// <summary>Without root: a user namespace (the caller's uid mapped to 0) around the same pid, mount, net, ipc and uts namespaces and read-only root; every capability dropped, no nested user namespaces; cgroup v2 pids and memory limits in a delegated subtree.</summary>
    UserNamespacesAndCgroups,
    /// <summary>Rootless namespaces as above without cgroups: processes bounded by RLIMIT_NPROC, memory by RLIMIT_AS per process.</summary>
    UserNamespaces,
    /// <summary>rlimits, its own session, a clean environment and (as root) its own uid; no network or filesystem isolation.</summary>
    RlimitsOnly,
    /// <summary>No sandbox could be set up (the reason is in every result's fault): no program is run, each scores 0.</summary>
    Unavailable,
}

/// <summary>One stdin/stdout case, or the whole of a test_code run.</summary>
/// <param name="Status">passed, wrong-answer, runtime-error, timeout, killed, output-limit.</param>
public sealed record CaseResult(bool Passed, string Status, string Detail);

/// <summary>A program to run: against stdin/stdout <paramref name="Cases"/>, or under <paramref name="TestCode"/>, or a <paramref name="Call"/> of a user's function.</summary>
/// <param name="EntryPoint">HumanEval's function name: when the test code defines <c>check</c>, it is called with it.</param>
/// <param name="TrustedPrefix">The dataset's part of the program (HumanEval's prompt): helpers it defines that the tests read are taken from it, never from what the program made of them.</param>
public sealed record SandboxJob(string Program, IReadOnlyList<StdioCase> Cases, string? TestCode, string? EntryPoint, FunctionCall? Call = null, string? TrustedPrefix = null)
{
    /// <summary>The wall time the job's runs may take in all: the call's own limit, else the case limit per case.</summary>
    public double WallSeconds(SandboxLimits limits) => Call?.WallSeconds ?? limits.WallSeconds * Math.Max(1, Cases.Count);

    /// <summary>A job that calls <paramref name="call"/> and runs nothing else.</summary>
    public static SandboxJob Calling(FunctionCall call) => new("", [], null, null, call);
}

/// <summary>
/// One call of a function users write in Python (a custom reward): <paramref name="Source"/> is loaded as a
/// module named <paramref name="FileName"/> in a fresh sandboxed process, and <paramref name="Function"/> is
/// called with <paramref name="Arguments"/> as keyword arguments; what it returns comes back as JSON.
/// </summary>
public sealed record FunctionCall(string Source, string FileName, string Function, JsonObject Arguments, double WallSeconds, double CpuSeconds);

public sealed record StdioCase(string Stdin, string Stdout);

/// <summary>
/// What a sandboxed run did. <see cref="InfrastructureFault"/> is set only when the sandbox itself failed
/// (could not start, crashed, was refused by the bulkhead or the open circuit): the program is not to blame,
/// and only these are retried or counted by the circuit breaker.
/// </summary>
public sealed record ExecutionResult(
    IsolationLevel Isolation,
    IReadOnlyList<CaseResult> Cases,
    CaseResult? Tests,
    TimeSpan Elapsed,
    string? InfrastructureFault = null)
{
    /// <summary>What a <see cref="FunctionCall"/> returned, as JSON (null for other jobs and for a call that failed).</summary>
    public JsonNode? Returned { get; init; }

    public bool Passed => InfrastructureFault is null && (Tests is null || Tests.Passed) && Cases.All(c => c.Passed) && (Tests is not null || Cases.Count > 0);

    /// <summary>Why the run did not pass, from the first failing case; null when it passed.</summary>
    public string? Reason
    {
        get
        {
            if (InfrastructureFault is not null) return $"sandbox fault: {InfrastructureFault}";
            if (Tests is { Passed: false }) return $"tests {Tests.Status}: {Tests.Detail}";
            var index = Cases.ToList().FindIndex(c => !c.Passed);
            return index < 0 ? null : $"case {index + 1} of {Cases.Count} {Cases[index].Status}: {Cases[index].Detail}";
        }
    }

    public static ExecutionResult Fault(IsolationLevel isolation, string fault, TimeSpan elapsed) => new(isolation, [], null, elapsed, fault);
}
