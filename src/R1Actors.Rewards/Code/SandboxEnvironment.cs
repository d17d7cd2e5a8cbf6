using System.Diagnostics;
using System.Text.Json.Nodes;

namespace R1Actors.Rewards.Code;

/// <summary>
/// What this machine offers the sandbox, found once at start-up: the interpreter, root or not, namespaces
/// (as root, or rootless through a user namespace), cgroups (v1 as root, v2 where a subtree is delegated);
/// a private scratch folder for this process (under <c>TMPDIR</c>) with the server's files in it.
/// <see cref="Level"/> is the strongest isolation that really started a server and ran a program here (or the
/// one demanded by settings); <see cref="Description"/> and <see cref="Rejected"/> say what was chosen and why
/// the stronger ones were not.
/// </summary>
public sealed class SandboxEnvironment : IDisposable
{
    private static readonly string[] SystemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc"];
    private static readonly string[] NamespaceFlags = ["--pid", "--fork", "--kill-child", "--mount", "--net", "--ipc", "--uts", "--propagation", "private"];
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    private SandboxEnvironment(string python, string? unshare, string scratch, IReadOnlyList<string> binds)
    {
        Python = python;
        Unshare = unshare;
        ScratchDirectory = scratch;
        Binds = binds;
    }

    public IsolationLevel Level { get; private set; } = IsolationLevel.Unavailable;
    /// <summary>The interpreter's real path (no symlinks), so that it resolves inside the minimal root.</summary>
    public string Python { get; }
    public string? Unshare { get; }
    /// <summary>This process's private folder (mode 0711): the server's files, per-server roots and per-run work folders.</summary>
    public string ScratchDirectory { get; }
    public string JudgeDirectory => Path.Combine(ScratchDirectory, "judge");
    /// <summary>Host folders bound read-only into the program's root.</summary>
    public IReadOnlyList<string> Binds { get; }
    /// <summary>The cgroups each server's slot gets, when <see cref="Level"/> has them.</summary>
    public SandboxCgroups? Cgroups { get; private set; }
    /// <summary>Whether the servers run in a user namespace (the daemon is not root).</summary>
    public bool Rootless => Level is IsolationLevel.UserNamespacesAndCgroups or IsolationLevel.UserNamespaces;
    /// <summary>The chosen level in words, with its cgroups and the hardening the server reported.</summary>
    public string Description { get; private set; } = "";
    /// <summary>Why each stronger level was not used here.</summary>
    public IReadOnlyList<string> Rejected { get; private set; } = [];

    /// <summary>Detects the machine; a missing interpreter or an unavailable demanded level is an error that says what to do.</summary>
    public static SandboxEnvironment Detect(SandboxSettings settings)
    {
        var python = ResolveExecutable(settings.Python)
            ?? throw new InvalidOperationException($"r1.rewards.code.python: '{settings.Python}' was not found; install python3 or set the key to its path");
        var (realPython, prefix) = ProbePython(python);
        var root = Environment.IsPrivilegedProcess;
        var binds = SystemDirectories.Where(d => Directory.Exists(d) || File.Exists(d)).ToList();
        if (!binds.Any(d => prefix.StartsWith(d + "/", StringComparison.Ordinal))) binds.Add(prefix);
        var environment = new SandboxEnvironment(realPython, ResolveExecutable("unshare"), CreatePrivateFolder(settings.ScratchParent), binds);
        try
        {
            WriteJudgeFiles(environment.JudgeDirectory);
            environment.Choose(settings, root);
            if (environment.Level == IsolationLevel.RlimitsOnly && root && !ReachableByOthers(realPython))
            {
                throw new InvalidOperationException(
                    $"r1.rewards.code.python: '{realPython}' cannot be run by the sandbox's unprivileged uid (a folder on its path is private); set the key to a system interpreter such as /usr/bin/python3");
            }
            return environment;
        }
        catch
        {
            environment.Dispose();
            throw;
        }
    }

    /// <summary>Tries the levels strongest first (each by starting a real server and running a program) and keeps the first that works.</summary>
    private void Choose(SandboxSettings settings, bool root)
    {
        var rejected = new List<string>();
        if (settings.Isolation == IsolationPreference.Rlimits)
        {
            Adopt(IsolationLevel.RlimitsOnly, null, settings, rejected);
            return;
        }
        var cgroups = SandboxCgroups.TryCreate($"r1actors-{Environment.ProcessId}", out var noCgroups);
        if (cgroups is null) rejected.Add($"cgroups: {noCgroups}");
        var candidates = root
            ? new[] { IsolationLevel.NamespacesAndCgroups, IsolationLevel.Namespaces, IsolationLevel.RlimitsOnly }
            : [IsolationLevel.UserNamespacesAndCgroups, IsolationLevel.UserNamespaces];
        foreach (var level in candidates)
        {
            var withCgroups = level is IsolationLevel.NamespacesAndCgroups or IsolationLevel.UserNamespacesAndCgroups;
            if (withCgroups && cgroups is null) continue;
            if (settings.Isolation == IsolationPreference.Namespaces && level == IsolationLevel.RlimitsOnly) break;
            if (!Adopt(level, withCgroups ? cgroups : null, settings, rejected)) continue;
            if (Cgroups is null) cgroups?.Dispose();
            return;
        }
        cgroups?.Dispose();
        var reasons = string.Join("; ", rejected);
        throw new InvalidOperationException(root || settings.Isolation == IsolationPreference.Namespaces
            ? $"r1.rewards.code.isolation = {settings.Isolation.ToString().ToLowerInvariant()}, but no namespace sandbox works here ({reasons}); set it to rlimits to run programs with rlimits only"
            : $"the code sandbox needs user namespaces when R1Actors is not root, and they do not work here ({reasons}). Enable them (sysctl kernel.unprivileged_userns_clone=1 or user.max_user_namespaces > 0), run as root, or set r1.rewards.code.isolation = rlimits, knowing that a program can then kill every process of this user, R1Actors included");
    }

    private bool Adopt(IsolationLevel level, SandboxCgroups? cgroups, SandboxSettings settings, List<string> rejected)
    {
        Level = level;
        Cgroups = cgroups;
        var (hardening, failure) = Probe(settings);
        if (failure is null)
        {
            var parts = new List<string> { Describe(level) };
            if (cgroups is not null) parts.Add(cgroups.Description);
            parts.AddRange(hardening);
            Description = string.Join("; ", parts);
            Rejected = rejected;
            return true;
        }
        rejected.Add($"{level}: {failure}");
        Level = IsolationLevel.Unavailable;
        Cgroups = null;
        if (settings.Isolation == IsolationPreference.Rlimits)
            throw new InvalidOperationException($"r1.rewards.code.isolation = rlimits, but the sandbox server does not start: {failure}");
        return false;
    }

    /// <summary>Starts one server at the current level, runs a one-line program in it, and stops it.</summary>
    private (IReadOnlyList<string> Hardening, string? Failure) Probe(SandboxSettings settings)
    {
        var directory = Path.Combine(ScratchDirectory, "probe-" + Level);
        var slot = Cgroups?.CreateSlot("probe", settings.Limits.Processes + ProcessSandbox.ServerProcesses, ProcessSandbox.SlotMemory(settings.Limits));
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "root"));
            using var server = SandboxServer.StartAsync(ServerStartInfo(), Setup(settings, 0, directory, slot ?? []), ProbeTimeout, CancellationToken.None).GetAwaiter().GetResult();
            var job = new JsonObject { ["program"] = "print(6 * 7)", ["cases"] = new JsonArray(new JsonObject { ["stdin"] = "", ["stdout"] = "42" }) };
            var (verdict, failure) = server.RunAsync(System.Text.Encoding.UTF8.GetBytes(job.ToJsonString()), ProbeTimeout, CancellationToken.None).GetAwaiter().GetResult();
            if (verdict?["cases"]?[0]?["passed"]?.GetValue<bool>() == true) return (server.Hardening, null);
            return ([], verdict?["cases"]?[0]?["detail"]?.GetValue<string>() ?? verdict?["infrastructure_error"]?.GetValue<string>()
                ?? $"the server gave no verdict ({failure}): {SandboxServer.Tail(server.ErrorTail)}");
        }
        catch (Exception e) when (e is SandboxStartException or IOException or UnauthorizedAccessException)
        {
            return ([], e.Message);
        }
        finally
        {
            if (slot is not null) Cgroups!.RemoveSlot(slot);
            TryDelete(directory);
        }
    }

    private static string Describe(IsolationLevel level) => level switch
    {
        IsolationLevel.NamespacesAndCgroups => "pid, mount, net, ipc and uts namespaces as root, own uid per program, cgroups",
        IsolationLevel.Namespaces => "pid, mount, net, ipc and uts namespaces as root, own uid per program, no cgroups (memory bounded per process)",
        IsolationLevel.UserNamespacesAndCgroups => "rootless: user, pid, mount, net, ipc and uts namespaces, no capabilities, cgroups",
        IsolationLevel.UserNamespaces => "rootless: user, pid, mount, net, ipc and uts namespaces, no capabilities, no cgroups (memory bounded per process)",
        _ => Environment.IsPrivilegedProcess
            ? "rlimits only, own uid per program: no network or filesystem isolation"
            : "rlimits only, as this user: no network or filesystem isolation, and a program can signal every process of this user",
    };

    /// <summary>How a server is started at this level: inside fresh namespaces (pid 1 of them), with a clean environment.</summary>
    internal ProcessStartInfo ServerStartInfo()
    {
        var namespaces = Level is not IsolationLevel.RlimitsOnly;
        if (namespaces && Unshare is null) throw new SandboxStartException("`unshare` (util-linux) was not found on PATH");
        var info = new ProcessStartInfo(namespaces ? Unshare! : Python);
        if (namespaces)
        {
            if (Rootless) { info.ArgumentList.Add("--user"); info.ArgumentList.Add("--map-root-user"); }
            foreach (var flag in NamespaceFlags) info.ArgumentList.Add(flag);
            info.ArgumentList.Add(Python);
        }
        // -I: no user site-packages, no PYTHON* variables; the interpreter's own site-packages stay importable.
        foreach (var argument in new[] { "-I", "-B", Path.Combine(JudgeDirectory, "judge.py") }) info.ArgumentList.Add(argument);
        info.RedirectStandardInput = info.RedirectStandardOutput = info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["PYTHONHASHSEED"] = "0";
        return info;
    }

    /// <summary>The server's set-up frame: level, folders, uids of <paramref name="slot"/>, limits, cgroups to join.</summary>
    internal JsonObject Setup(SandboxSettings settings, int slot, string serverDirectory, IReadOnlyList<string> cgroups)
    {
        var limits = settings.Limits;
        return new JsonObject
        {
            ["isolation"] = Level == IsolationLevel.RlimitsOnly ? "rlimits" : "namespaces",
            ["rootless"] = Rootless,
            ["cgroups"] = new JsonArray(cgroups.Select(c => (JsonNode)c).ToArray()),
            ["binds"] = new JsonArray(Binds.Select(b => (JsonNode)b).ToArray()),
            ["root_dir"] = Path.Combine(serverDirectory, "root"),
            ["scratch_dir"] = serverDirectory,
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
    }

    /// <summary>A fresh folder only this process can list (0711: the sandbox uids may pass through to their work folders).</summary>
    private static string CreatePrivateFolder(string? parent)
    {
        var path = Path.Combine(parent ?? Path.GetTempPath(), $"r1actors-sandbox-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
            else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"r1.rewards.code.scratch-dir: could not create the sandbox's scratch folder {path}: {e.Message}; set TMPDIR or the key to a writable folder", e);
        }
    }

    /// <summary>Whether a user other than the owner may run the file: every folder above it and the file itself are other-executable.</summary>
    private static bool ReachableByOthers(string file)
    {
        if (OperatingSystem.IsWindows()) return true;
        for (var path = file; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if ((File.GetUnixFileMode(path) & UnixFileMode.OtherExecute) == 0) return false;
        }
        return true;
    }

    private static void WriteJudgeFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var name in new[] { "judge.py", "runner.py", "sandbox_protocol.py" })
        {
            using var resource = typeof(SandboxEnvironment).Assembly.GetManifestResourceStream($"R1Actors.Sandbox.{name}")
                ?? throw new InvalidOperationException($"the sandbox file {name} is missing from the R1Actors.Rewards assembly");
            using var file = File.Create(Path.Combine(directory, name));
            resource.CopyTo(file);
        }
    }

    private static (string RealPath, string Prefix) ProbePython(string python)
    {
        var output = Capture(python, "-I -S -c \"import os,sys;print(os.path.realpath(sys.executable));print(sys.base_prefix)\"");
        var lines = output?.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines is not { Length: 2 }) throw new InvalidOperationException($"r1.rewards.code.python: '{python}' does not run as a Python interpreter");
        return (lines[0].Trim(), lines[1].Trim());
    }

    internal static string? ResolveExecutable(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? Path.GetFullPath(name) : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        return path.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    private static string? Capture(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(10_000)) { process.Kill(true); return null; }
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    internal static void TryDelete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        Cgroups?.Dispose();
        TryDelete(ScratchDirectory);
    }
}
