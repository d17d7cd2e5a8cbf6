// R1Actors code sandbox: runs one untrusted Python program in a child process tree.
//
// What it does (IsolationLevel.NamespacesAndCgroups, the level used as root on Linux):
//   - Per slot, a warm sandbox server (judge.py, see its header): `unshare --pid --fork --kill-child --mount
//     --net --ipc --uts` starts it as pid 1 of new namespaces; it joins the slot's cgroups (pids and memory,
//     v1 or v2), builds a root of read-only binds of the system folders, chroots into it, imports what
//     programs commonly use, and forks a template. Each program run is a fork of that template with a fresh
//     tmpfs /work and /tmp in its own mount and IPC namespace, setsid, rlimits (CPU, address space, file
//     size, open files, processes) and its own uid; everything it started is killed when its case ends.
//   - Without root (IsolationLevel.UserNamespaces*): the same inside a user namespace (`--user
//     --map-root-user`, the way bubblewrap does it); programs drop every capability, cannot make nested
//     user namespaces, and share the server's uid, which a pid namespace's init (the server) is safe from.
//   - No network (an empty net namespace), no view of other processes (pid namespace, fresh /proc), a clean
//     environment, nothing of the host writable. A server that times out, dies, or reports that a run left
//     something behind it could not kill (tainted) is replaced; when its pid 1 dies the kernel kills every
//     process of the namespace, and retiring a slot kills anything still listed in its cgroups.
// What it does NOT protect against:
//   - Kernel exploits: this is namespaces and rlimits, not a virtual machine. Run untrusted code at scale on
//     a host you can afford to lose, or inside a VM.
//   - Reading world-readable files under the bound system folders (/usr, /etc): they are visible, read-only.
//   - CPU contention: a program may use its full CPU-time limit per process, on all cores it can fork to,
//     within pids.max; only the wall-clock limit bounds the total.
//   - Without root, RLIMIT_NPROC is counted per user namespace only on Linux 5.14 and later; on older kernels it
//     counts every process of the user on the host, so programs may be refused threads they should have.
//   - At the lower levels: the *Namespaces levels without cgroups bound memory per process only;
//     IsolationLevel.RlimitsOnly has no network or filesystem isolation at all, and unless it runs as root it
//     cannot give the program its own uid, so a program can signal every process of the user (auto never
//     picks it without root: it must be demanded with r1.rewards.code.isolation = rlimits).
using System.Text;
using System.Text.Json.Nodes;

namespace R1Actors.Rewards.Code;

/// <summary>Runs <see cref="SandboxJob"/>s in the sandbox described above: one warm server per slot, a fresh process tree per program.</summary>
public sealed class ProcessSandbox : ISlotSandbox, IDisposable
{
    /// <summary>Processes a slot needs beyond the program's own: the server, the template, a middle process, the tester, slack.</summary>
    internal const int ServerProcesses = 6;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private readonly SandboxEnvironment _environment;
    private readonly SandboxSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly Slot[] _slots;

    public ProcessSandbox(SandboxEnvironment environment, SandboxSettings settings, TimeProvider timeProvider)
    {
        _environment = environment;
        _settings = settings;
        _timeProvider = timeProvider;
        _slots = Enumerable.Range(0, settings.MaxConcurrency).Select(i => new Slot(i)).ToArray();
        if (settings.WarmPool)
        {
            foreach (var slot in _slots) Observe(slot.Starting = StartServerAsync(slot, CancellationToken.None));
        }
    }

    public IsolationLevel Level => _environment.Level;

    /// <summary>Servers started so far (the first of each slot included): a replaced server adds one.</summary>
    public int ServersStarted => _slots.Sum(s => s.Generation);

    /// <summary>A slot's memory cgroup limit: the program's address space, its two tmpfs folders, and the server's interpreters.</summary>
    internal static long SlotMemory(SandboxLimits limits) => limits.MemoryBytes + 2 * limits.DiskBytes + (160L << 20);

    /// <summary>Runs the job in <paramref name="slot"/> (0 ≤ slot &lt; MaxConcurrency: one job at a time each). Never throws for the program's behaviour.</summary>
    public async Task<ExecutionResult> RunAsync(SandboxJob job, int slot, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var state = _slots[slot];
        SandboxServer server;
        try
        {
            server = await (state.Starting ??= StartServerAsync(state, cancellationToken)).ConfigureAwait(false);
            if (server.HasExited)
            {
                // It died between jobs (no job was lost): a fresh one takes its place.
                Retire(state);
                server = await (state.Starting = StartServerAsync(state, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SandboxStartException or IOException or UnauthorizedAccessException)
        {
            Retire(state);
            return ExecutionResult.Fault(Level, e.Message, _timeProvider.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            Retire(state);
            throw;
        }
        var budget = _settings.RunOverhead + TimeSpan.FromSeconds(job.WallSeconds(_settings.Limits) + 1);
        JsonNode? verdict;
        ServerFailure failure;
        try
        {
            (verdict, failure) = await server.RunAsync(JobFrame(job), budget, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Retire(state);
            throw;
        }
        if (verdict is null)
        {
            var (blamed, fault) = await Blame(server, failure).ConfigureAwait(false);
            Retire(state);
            var after = _timeProvider.GetElapsedTime(started);
            return blamed is null ? ExecutionResult.Fault(Level, fault!, after) : Interpret(blamed, job, after);
        }
        if (verdict["tainted"]?.GetValue<bool>() == true || verdict["infrastructure_error"] is not null || !_settings.WarmPool || server.Runs >= _settings.ServerRuns)
            Retire(state);
        var elapsed = _timeProvider.GetElapsedTime(started);
        return verdict["infrastructure_error"] is { } error
            ? ExecutionResult.Fault(Level, error.GetValue<string>(), elapsed)
            : Interpret(verdict, job, elapsed);
    }

    /// <summary>
    /// A server that gave no verdict: past the job's whole budget it was starved by the program (a fork bomb at
    /// the lower levels: the program's failure). Dead, it was killed by the program only where the program shares
    /// its uid outside a pid namespace (rlimits without root); anywhere else it is a sandbox fault.
    /// </summary>
    private async Task<(JsonObject? Verdict, string? Fault)> Blame(SandboxServer server, ServerFailure failure)
    {
        if (failure == ServerFailure.TimedOut) return (RunFailed("timeout", "the run exceeded its total time budget"), null);
        var exitCode = await server.ExitCodeAsync().ConfigureAwait(false);
        if (Level == IsolationLevel.RlimitsOnly && !Environment.IsPrivilegedProcess && exitCode is null or > 128)
            return (RunFailed("killed", "the program killed the sandbox's server"), null);
        return (null, $"the sandbox server exited with code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} without a verdict: {SandboxServer.Tail(server.ErrorTail)}");
    }

    private async Task<SandboxServer> StartServerAsync(Slot slot, CancellationToken cancellationToken)
    {
        slot.Generation++;
        slot.Directory = Path.Combine(_environment.ScratchDirectory, $"server-{slot.Index}-{slot.Generation}");
        Directory.CreateDirectory(Path.Combine(slot.Directory, "root"));
        var limits = _settings.Limits;
        slot.Cgroups = _environment.Cgroups?.CreateSlot($"slot-{slot.Index}-{slot.Generation}", limits.Processes + ServerProcesses, SlotMemory(limits)) ?? [];
        var setup = _environment.Setup(_settings, slot.Index, slot.Directory, slot.Cgroups);
        return await SandboxServer.StartAsync(_environment.ServerStartInfo(), setup, ReadyTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the slot's server and everything in its cgroups, removes its folders; the next job starts a fresh one.</summary>
    private void Retire(Slot slot)
    {
        var starting = slot.Starting;
        slot.Starting = null;
        if (starting is { IsCompletedSuccessfully: true }) starting.Result.Dispose();
        else starting?.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(30));
        if (slot.Cgroups.Count > 0) _environment.Cgroups?.RemoveSlot(slot.Cgroups);
        slot.Cgroups = [];
        if (slot.Directory is not null) SandboxEnvironment.TryDelete(slot.Directory);
        slot.Directory = null;
    }

    private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);

    private static byte[] JobFrame(SandboxJob job) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["program"] = job.Program,
        ["cases"] = new JsonArray(job.Cases.Select(c => (JsonNode)new JsonObject { ["stdin"] = c.Stdin, ["stdout"] = c.Stdout }).ToArray()),
        ["test_code"] = job.TestCode,
        ["entry_point"] = job.EntryPoint,
        ["trusted_prefix"] = job.TrustedPrefix,
        ["call"] = job.Call is { } call
            ? new JsonObject
            {
                ["source"] = call.Source,
                ["filename"] = call.FileName,
                ["function"] = call.Function,
                ["kwargs"] = call.Arguments.DeepClone(),
                ["wall_seconds"] = call.WallSeconds,
                ["cpu_seconds"] = (int)Math.Ceiling(call.CpuSeconds),
            }
            : null,
    }.ToJsonString());

    /// <summary>A verdict for a run the program ended as a whole: every case (or the tests) failed with this status.</summary>
    private static JsonObject RunFailed(string status, string detail) =>
        new() { ["run_failed"] = new JsonObject { ["passed"] = false, ["status"] = status, ["detail"] = detail } };

    private ExecutionResult Interpret(JsonNode verdict, SandboxJob job, TimeSpan elapsed)
    {
        if (verdict["run_failed"] is { } failed)
        {
            var failure = ReadCase(failed);
            return job.TestCode is null
                ? new ExecutionResult(Level, job.Cases.Select(_ => failure).ToList(), null, elapsed)
                : new ExecutionResult(Level, [], failure, elapsed);
        }
        if (verdict["call"] is { } call)
        {
            var ok = call["ok"]?.GetValue<bool>() == true;
            var outcome = ok ? new CaseResult(true, "passed", "") : ReadCase(call);
            return new ExecutionResult(Level, [], outcome, elapsed) { Returned = ok ? call["value"]?.DeepClone() : null };
        }
        var tests = verdict["tests"] is { } t ? ReadCase(t) : null;
        var cases = verdict["cases"] is JsonArray array ? array.Select(c => ReadCase(c!)).ToList() : [];
        return new ExecutionResult(Level, cases, tests, elapsed);
    }

    private static CaseResult ReadCase(JsonNode node) => new(
        node["passed"]?.GetValue<bool>() ?? false,
        Text(node["status"]) ?? "error",
        Text(node["detail"]) ?? "");

    /// <summary>A string of the verdict; one that is not valid UTF-16 (the server scrubs them, this is the backstop) reads as a placeholder.</summary>
    private static string? Text(JsonNode? node)
    {
        try { return node?.GetValue<string>(); }
        catch (InvalidOperationException) { return "(text that is not valid Unicode)"; }
    }

    /// <summary>Stops every server and removes their cgroups and folders (the environment removes the rest).</summary>
    public void Dispose()
    {
        foreach (var slot in _slots) Retire(slot);
    }

    /// <summary>One verifier slot: its current server (or the task starting it), cgroups and folder.</summary>
    private sealed class Slot(int index)
    {
        public int Index { get; } = index;
        public int Generation { get; set; }
        public Task<SandboxServer>? Starting { get; set; }
        public IReadOnlyList<string> Cgroups { get; set; } = [];
        public string? Directory { get; set; }
    }
}
