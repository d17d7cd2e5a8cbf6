// R1Actors code sandbox: runs one untrusted Python program in a child process tree.
//
// What it does (IsolationLevel.NamespacesAndCgroups, the level used as root on Linux with cgroup v1):
//   - `unshare --pid --fork --kill-child --mount --net --ipc --uts` starts the judge (judge.py) as pid 1 of new
//     namespaces; the judge joins this run's cgroups (pids.max, memory.limit_in_bytes), builds a root of
//     read-only binds of the system folders plus a tmpfs /work and /tmp, chroots into it, and starts the
//     program with setsid, rlimits (CPU, address space, file size, open files, processes) and its own uid.
//   - No network (an empty net namespace), no view of other processes (pid namespace, fresh /proc), a clean
//     environment, nothing of the host writable. When pid 1 exits or is killed, the kernel kills every
//     process of the namespace; the judge also kills them after each case. After the run this class kills
//     anything still listed in the run's cgroup and removes it.
// What it does NOT protect against:
//   - Kernel exploits: this is namespaces and rlimits, not a virtual machine. Run untrusted code at scale on
//     a host you can afford to lose, or inside a VM.
//   - Reading world-readable files under the bound system folders (/usr, /etc): they are visible, read-only.
//   - CPU contention: a program may use its full CPU-time limit per process, on all cores it can fork to,
//     within pids.max; only the wall-clock limit bounds the total.
//   - At the lower levels: IsolationLevel.Namespaces has no cgroups (memory is bounded per process only);
//     IsolationLevel.RlimitsOnly has no network or filesystem isolation at all, and unless it runs as root it
//     cannot give the program its own uid, so a program that leaves its session can outlive the run.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1Actors.Rewards.Code;

/// <summary>Runs <see cref="SandboxJob"/>s in the sandbox described above; one call, one isolated process tree.</summary>
public sealed class ProcessSandbox(SandboxEnvironment environment, SandboxSettings settings, TimeProvider timeProvider) : ISlotSandbox
{
    private const int MaxVerdictBytes = 8 << 20;

    public IsolationLevel Level => environment.Level;

    /// <summary>Runs the job as <paramref name="slot"/> (0 ≤ slot &lt; MaxConcurrency: picks the uids). Never throws for the program's behaviour.</summary>
    public async Task<ExecutionResult> RunAsync(SandboxJob job, int slot, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var runId = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        var runDirectory = Path.Combine(settings.ScratchDirectory, "run-" + runId);
        var cgroups = CreateCgroups(runId);
        try
        {
            Directory.CreateDirectory(Path.Combine(runDirectory, "root"));
            Directory.CreateDirectory(Path.Combine(runDirectory, "work"));
            var request = BuildRequest(job, slot, runDirectory, cgroups);
            var budget = settings.RunOverhead + TimeSpan.FromSeconds(settings.Limits.WallSeconds * Math.Max(1, job.Cases.Count) + 1);
            var (verdict, fault) = await RunJudgeAsync(request, budget, cancellationToken).ConfigureAwait(false);
            var elapsed = timeProvider.GetElapsedTime(started);
            return verdict is null ? ExecutionResult.Fault(Level, fault!, elapsed) : Interpret(verdict, job, elapsed);
        }
        catch (IOException e)
        {
            return ExecutionResult.Fault(Level, $"could not prepare the run: {e.Message}", timeProvider.GetElapsedTime(started));
        }
        finally
        {
            RemoveCgroups(cgroups);
            TryDelete(runDirectory);
        }
    }

    private byte[] BuildRequest(SandboxJob job, int slot, string runDirectory, IReadOnlyList<string> cgroups)
    {
        var limits = settings.Limits;
        var request = new JsonObject
        {
            ["program"] = job.Program,
            ["cases"] = new JsonArray(job.Cases.Select(c => (JsonNode)new JsonObject { ["stdin"] = c.Stdin, ["stdout"] = c.Stdout }).ToArray()),
            ["test_code"] = job.TestCode,
            ["entry_point"] = job.EntryPoint,
            ["isolation"] = Level == IsolationLevel.RlimitsOnly ? "rlimits" : "namespaces",
            ["cgroups"] = new JsonArray(cgroups.Select(c => (JsonNode)c).ToArray()),
            ["binds"] = new JsonArray(environment.Binds.Select(b => (JsonNode)b).ToArray()),
            ["python"] = environment.Python,
            ["root_dir"] = Path.Combine(runDirectory, "root"),
            ["work_dir"] = Path.Combine(runDirectory, "work"),
            ["uid"] = settings.BaseUid + 2 * slot,
            ["gid"] = settings.BaseUid + 2 * slot,
            ["tester_uid"] = settings.BaseUid + 2 * slot + 1,
            ["limits"] = new JsonObject
            {
                ["cpu_seconds"] = (int)Math.Ceiling(limits.CpuSeconds),
                ["wall_seconds"] = limits.WallSeconds,
                ["memory_bytes"] = limits.MemoryBytes,
                ["file_bytes"] = limits.FileBytes,
                ["disk_bytes"] = limits.DiskBytes,
                ["output_bytes"] = limits.OutputBytes,
                ["processes"] = limits.Processes,
            },
        };
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    private ProcessStartInfo JudgeStartInfo()
    {
        var judge = Path.Combine(environment.JudgeDirectory, "judge.py");
        var info = Level == IsolationLevel.RlimitsOnly
            ? new ProcessStartInfo(environment.Python)
            : new ProcessStartInfo(environment.Unshare!) { ArgumentList = { "--pid", "--fork", "--kill-child", "--mount", "--net", "--ipc", "--uts", "--propagation", "private", environment.Python } };
        foreach (var argument in new[] { "-I", "-B", "-S", judge }) info.ArgumentList.Add(argument);
        info.RedirectStandardInput = info.RedirectStandardOutput = info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["LANG"] = "C.UTF-8";
        return info;
    }

    /// <summary>Starts the judge, hands it the job, and reads its verdict; kills the whole tree at the budget.</summary>
    private async Task<(JsonNode? Verdict, string? Fault)> RunJudgeAsync(byte[] request, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = JudgeStartInfo() };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e) { return (null, $"could not start the judge: {e.Message}"); }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(budget);
        var stdout = ReadBoundedAsync(process.StandardOutput.BaseStream, MaxVerdictBytes);
        var stderr = ReadBoundedAsync(process.StandardError.BaseStream, 64 << 10);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(request, timeout.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            // The judge enforces each case's limits itself; running past the whole budget means the program
            // starved it (for example a fork bomb at the lower isolation levels): the program's failure.
            return (RunFailed("timeout", "the run exceeded its total time budget"), null);
        }
        var output = await stdout.ConfigureAwait(false);
        var errors = Encoding.UTF8.GetString(await stderr.ConfigureAwait(false));
        try
        {
            var verdict = output.Length == 0 ? null : JsonNode.Parse(output);
            if (verdict?["infrastructure_error"] is { } setupError) return (null, setupError.GetValue<string>());
            if (verdict is not null) return (verdict, null);
        }
        catch (JsonException) { }
        if (process.ExitCode > 128 && Level == IsolationLevel.RlimitsOnly && !Environment.IsPrivilegedProcess)
        {
            // Without root the program shares the judge's uid and can kill it: the program's failure, not the sandbox's.
            return (RunFailed("killed", "the program killed the sandbox's judge"), null);
        }
        return (null, $"the judge exited with code {process.ExitCode} without a verdict: {Tail(errors)}");
    }

    /// <summary>A verdict for a run the program ended as a whole: every case (or the tests) failed with this status.</summary>
    private static JsonObject RunFailed(string status, string detail) =>
        new() { ["run_failed"] = new JsonObject { ["passed"] = false, ["status"] = status, ["detail"] = detail } };

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, int limit)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[65536];
        int read;
        while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length < limit) buffer.Write(chunk, 0, (int)Math.Min(read, limit - buffer.Length));
        }
        return buffer.ToArray();
    }

    private ExecutionResult Interpret(JsonNode verdict, SandboxJob job, TimeSpan elapsed)
    {
        if (verdict["run_failed"] is { } failed)
        {
            var failure = ReadCase(failed);
            return job.TestCode is null
                ? new ExecutionResult(Level, job.Cases.Select(_ => failure).ToList(), null, elapsed)
                : new ExecutionResult(Level, [], failure, elapsed);
        }
        var tests = verdict["tests"] is { } t ? ReadCase(t) : null;
        var cases = verdict["cases"] is JsonArray array ? array.Select(c => ReadCase(c!)).ToList() : [];
        return new ExecutionResult(Level, cases, tests, elapsed);
    }

    private static CaseResult ReadCase(JsonNode node) => new(
        node["passed"]?.GetValue<bool>() ?? false,
        node["status"]?.GetValue<string>() ?? "error",
        node["detail"]?.GetValue<string>() ?? "");

    private IReadOnlyList<string> CreateCgroups(string runId)
    {
        if (Level != IsolationLevel.NamespacesAndCgroups) return [];
        var limits = settings.Limits;
        var pids = Path.Combine(SandboxEnvironment.PidsRoot, environment.CgroupParent, runId);
        var memory = Path.Combine(SandboxEnvironment.MemoryRoot, environment.CgroupParent, runId);
        Directory.CreateDirectory(pids);
        Directory.CreateDirectory(memory);
        File.WriteAllText(Path.Combine(pids, "pids.max"), (limits.Processes + 4).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bytes = limits.MemoryBytes + 2 * limits.DiskBytes + (96L << 20);
        File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return [pids, memory];
    }

    /// <summary>Kills whatever is still in the run's cgroups (nothing should be) and removes them.</summary>
    private static void RemoveCgroups(IReadOnlyList<string> cgroups)
    {
        foreach (var cgroup in cgroups)
        {
            for (var attempt = 0; attempt < 100 && Directory.Exists(cgroup); attempt++)
            {
                foreach (var pid in ReadPids(cgroup)) TryKill(pid);
                try { Directory.Delete(cgroup); }
                catch (IOException) { Thread.Sleep(5); }
            }
        }
    }

    private static IEnumerable<int> ReadPids(string cgroup)
    {
        try { return File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")).Where(l => l.Length > 0).Select(int.Parse).ToList(); }
        catch (IOException) { return []; }
    }

    private static void TryKill(int pid)
    {
        try { using var process = Process.GetProcessById(pid); process.Kill(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); process.WaitForExit(5_000); }
        catch (InvalidOperationException) { }
    }

    private static void TryDelete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : text[^400..].Trim();
}
