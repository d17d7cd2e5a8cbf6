using System.Text.RegularExpressions;
using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>The warm pool: runs on one long-lived server see nothing of each other, and a broken server is replaced.</summary>
[Collection(SandboxCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SandboxPoolTests(SandboxFixture fixture)
{
    /// <summary>Prints a digest of everything a run could leave for the next: modules, builtins, environment, files, processes, SysV IPC.</summary>
    private const string Fingerprint = """
        import builtins, hashlib, json, os, sys
        def listing(folder):
            try:
                return sorted(os.listdir(folder))
            except OSError as error:
                return str(error)
        def ipc(kind):
            try:
                return open(f"/proc/sysvipc/{kind}").read().count("\n")
            except OSError:
                return -1
        state = [
            sorted(sys.modules),
            sorted((name, type(value).__name__, id(value)) for name, value in vars(builtins).items()),
            sorted(os.environ.items()),
            id(json.dumps), json.dumps([1]),
            listing("."), listing("/tmp"), listing("/dev/shm"),
            len([p for p in os.listdir("/proc") if p.isdigit()]),
            ipc("shm"), ipc("msg"), ipc("sem"),
        ]
        print(hashlib.sha256(repr(state).encode()).hexdigest()[:16])
        """;

    private const string Poison = """
        import builtins, ctypes, json, os, sys, time
        builtins.len = lambda value: 0
        builtins.leftover = "poisoned"
        sys.modules["json"].dumps = lambda *a, **k: "poisoned"
        sys.modules["fake_module"] = sys
        os.environ["LEFTOVER"] = "1"
        for path in ("leftover.txt", "/tmp/leftover.txt", "/dev/shm/leftover"):
            try:
                open(path, "w").write("x")
            except OSError:
                pass
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmget(0x5231, 4096, 0o1666)
        libc.msgget(0x5231, 0o1666)
        libc.semget(0x5231, 1, 0o1666)
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(60)
            os._exit(0)
        print("poisoned")
        """;

    [Fact]
    public async Task Nothing_a_run_changes_reaches_the_next_run_on_the_same_server()
    {
        var before = await FingerprintOf(0);
        var servers = fixture.Process.ServersStarted;
        var poison = await fixture.Process.RunAsync(Stdio(Poison, "poisoned"), 0, CancellationToken.None);
        Assert.True(poison.Passed, poison.Reason);
        Assert.Equal(before, await FingerprintOf(0));
        // The same warm server ran all three: isolation came from the fork, not from a fresh interpreter.
        Assert.Equal(servers, fixture.Process.ServersStarted);
        Assert.Equal(0, fixture.SandboxProcessesAlive());
    }

    [Fact]
    public async Task A_run_cannot_read_another_runs_input_or_output()
    {
        var secret = $"R1SECRET{Guid.NewGuid():N}";
        var holder = fixture.Process.RunAsync(Stdio("import time\ns = input()\ntime.sleep(1.0)\nprint(s)\n", secret, stdin: secret + "\n"), 0, CancellationToken.None);
        var scanner = """
            import os, time
            time.sleep(0.3)
            needle = b"R1SECRET"
            found = []
            for pid in [p for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid())]:
                for name in ["cmdline", "environ", "mem"] + [f"fd/{fd}" for fd in (os.listdir(f"/proc/{pid}/fd") if os.access(f"/proc/{pid}/fd", os.R_OK) else [])]:
                    try:
                        with open(f"/proc/{pid}/{name}", "rb") as f:
                            if needle in f.read(1 << 16):
                                found.append(f"{pid}/{name}")
                    except OSError:
                        pass
            for folder in ("/tmp", "/work", "/dev/shm", ".."):
                for entry in (os.listdir(folder) if os.access(folder, os.R_OK) else []):
                    try:
                        if needle in open(os.path.join(folder, entry), "rb").read(1 << 16):
                            found.append(entry)
                    except OSError:
                        pass
            print("found " + ",".join(found) if found else "nothing")
            """;
        var scan = await fixture.Process.RunAsync(Stdio(scanner, "nothing"), 1, CancellationToken.None);
        Assert.True(scan.Passed, scan.Reason);
        Assert.True((await holder).Passed);
    }

    [Fact]
    public async Task A_server_that_died_between_jobs_is_replaced_without_losing_a_job()
    {
        using var environment = SandboxEnvironment.Detect(fixture.Settings);
        using var sandbox = new ProcessSandbox(environment, fixture.Settings with { MaxConcurrency = 1 }, TimeProvider.System);
        var (table, server) = await WarmServer(environment, sandbox);
        var launcher = table[server].Parent; // unshare, or this process at the rlimits level
        using (var process = System.Diagnostics.Process.GetProcessById(server))
        {
            process.Kill();
            process.WaitForExit(5_000);
        }
        // Between jobs means: the server's process is gone and reaped before the next job comes.
        for (var wait = 0; launcher != Environment.ProcessId && Directory.Exists($"/proc/{launcher}") && wait < 500; wait++) await Task.Delay(10);
        var after = await sandbox.RunAsync(Stdio("print(2)", "2"), 0, CancellationToken.None);
        Assert.True(after.Passed, after.Reason);
        Assert.Equal(2, sandbox.ServersStarted);
    }

    [Fact]
    public async Task A_server_is_replaced_after_its_configured_number_of_runs_and_cold_spawn_starts_one_per_job()
    {
        using var environment = SandboxEnvironment.Detect(fixture.Settings);
        using (var warm = new ProcessSandbox(environment, fixture.Settings with { MaxConcurrency = 1, ServerRuns = 2 }, TimeProvider.System))
        {
            for (var i = 0; i < 3; i++) Assert.True((await warm.RunAsync(Stdio($"print({i})", $"{i}"), 0, CancellationToken.None)).Passed);
            Assert.Equal(2, warm.ServersStarted);
        }
        using var cold = new ProcessSandbox(environment, fixture.Settings with { MaxConcurrency = 1, WarmPool = false }, TimeProvider.System);
        for (var i = 0; i < 3; i++) Assert.True((await cold.RunAsync(Stdio($"print({i})", $"{i}"), 0, CancellationToken.None)).Passed);
        Assert.Equal(3, cold.ServersStarted);
    }

    [Fact]
    public async Task A_server_whose_template_died_reports_a_sandbox_fault_and_is_replaced()
    {
        // Programs cannot reach the template (their own pid namespace); the host can: kill it between jobs.
        using var environment = SandboxEnvironment.Detect(fixture.Settings);
        using var sandbox = new ProcessSandbox(environment, fixture.Settings with { MaxConcurrency = 1 }, TimeProvider.System);
        var (table, server) = await WarmServer(environment, sandbox);
        var template = table.Values.Where(p => p.Parent == server).OrderBy(p => p.Started).First().Pid;
        using (var process = System.Diagnostics.Process.GetProcessById(template)) process.Kill();
        var broken = await sandbox.RunAsync(Stdio("print(2)", "2"), 0, CancellationToken.None);
        Assert.Contains("could not start the program", broken.InfrastructureFault);
        var after = await sandbox.RunAsync(Stdio("print(3)", "3"), 0, CancellationToken.None);
        Assert.True(after.Passed, after.Reason);
        Assert.Equal(2, sandbox.ServersStarted);
    }

    /// <summary>Runs one job on the one-slot sandbox and finds its server among this process's: the process table and the server's pid.</summary>
    private static async Task<(Dictionary<int, HostProcesses.Entry> Table, int Server)> WarmServer(SandboxEnvironment environment, ProcessSandbox sandbox)
    {
        Assert.True((await sandbox.RunAsync(Stdio("print(1)", "1"), 0, CancellationToken.None)).Passed);
        var table = HostProcesses.Read();
        var server = Assert.Single(HostProcesses.Servers(table, Environment.ProcessId), pid => table[pid].CommandLine.Contains(environment.JudgeDirectory, StringComparison.Ordinal));
        return (table, server);
    }

    private async Task<string> FingerprintOf(int slot)
    {
        var result = await fixture.Process.RunAsync(Stdio(Fingerprint, "?"), slot, CancellationToken.None);
        var digest = DigestPattern().Match(result.Cases[0].Detail);
        Assert.True(digest.Success, result.Reason);
        return digest.Groups[1].Value;
    }

    private static SandboxJob Stdio(string program, string stdout, string stdin = "") =>
        new(program, [new StdioCase(stdin, stdout)], null, null);

    [GeneratedRegex("got '([0-9a-f]{16})'")]
    private static partial Regex DigestPattern();
}
