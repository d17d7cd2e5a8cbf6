using System.Diagnostics;

namespace R1Actors.Rewards.Code;

/// <summary>
/// What this machine offers the sandbox, found once at start-up: the interpreter, whether we are root,
/// whether <c>unshare</c> can make pid/mount/net/ipc/uts namespaces, whether cgroup v1 <c>pids</c> and
/// <c>memory</c> can be written; and the judge's files written to a scratch folder. <see cref="Level"/> is
/// the strongest isolation available (or demanded by settings).
/// </summary>
public sealed class SandboxEnvironment : IDisposable
{
    private static readonly string[] SystemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc"];
    internal const string PidsRoot = "/sys/fs/cgroup/pids";
    internal const string MemoryRoot = "/sys/fs/cgroup/memory";

    private SandboxEnvironment(IsolationLevel level, string python, string? unshare, string judgeDirectory, IReadOnlyList<string> binds, string cgroupParent)
    {
        Level = level;
        Python = python;
        Unshare = unshare;
        JudgeDirectory = judgeDirectory;
        Binds = binds;
        CgroupParent = cgroupParent;
    }

    public IsolationLevel Level { get; }
    /// <summary>The interpreter's real path (no symlinks), so that it resolves inside the minimal root.</summary>
    public string Python { get; }
    public string? Unshare { get; }
    public string JudgeDirectory { get; }
    /// <summary>Host folders bound read-only into the program's root.</summary>
    public IReadOnlyList<string> Binds { get; }
    /// <summary>Name of the folder under each cgroup controller that holds this process's runs.</summary>
    public string CgroupParent { get; }

    /// <summary>Detects the machine; a missing interpreter or an unavailable demanded level is an error that says what to do.</summary>
    public static SandboxEnvironment Detect(SandboxSettings settings)
    {
        var python = ResolveExecutable(settings.Python)
            ?? throw new InvalidOperationException($"r1.rewards.code.python: '{settings.Python}' was not found; install python3 or set the key to its path");
        var (realPython, prefix) = ProbePython(python);
        var root = Environment.IsPrivilegedProcess;
        var unshare = root ? ResolveExecutable("unshare") : null;
        var namespaces = unshare is not null && Succeeds(unshare, "--pid --fork --kill-child --mount --net --ipc --uts --propagation private true");
        var cgroupParent = $"r1actors-{Environment.ProcessId}";
        var cgroups = namespaces && TryCreateCgroupParents(cgroupParent);
        var best = cgroups ? IsolationLevel.NamespacesAndCgroups : namespaces ? IsolationLevel.Namespaces : IsolationLevel.RlimitsOnly;
        var level = settings.Isolation switch
        {
            IsolationPreference.Rlimits => IsolationLevel.RlimitsOnly,
            IsolationPreference.Namespaces when best == IsolationLevel.RlimitsOnly => throw new InvalidOperationException(
                "r1.rewards.code.isolation = namespaces, but namespaces are unavailable (needs root and a working `unshare`); set it to auto or rlimits"),
            _ => best,
        };
        if (level == IsolationLevel.RlimitsOnly && root && !ReachableByOthers(realPython))
        {
            throw new InvalidOperationException(
                $"r1.rewards.code.python: '{realPython}' cannot be run by the sandbox's unprivileged uid (a folder on its path is private); set the key to a system interpreter such as /usr/bin/python3");
        }
        var binds = SystemDirectories.Where(d => Directory.Exists(d) || File.Exists(d)).ToList();
        if (!binds.Any(d => prefix.StartsWith(d + "/", StringComparison.Ordinal))) binds.Add(prefix);
        var judgeDirectory = WriteJudgeFiles(settings.ScratchDirectory);
        return new SandboxEnvironment(level, realPython, unshare, judgeDirectory, binds, cgroupParent);
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

    private static string WriteJudgeFiles(string scratch)
    {
        var directory = Path.Combine(scratch, $"judge-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        foreach (var name in new[] { "judge.py", "runner.py", "sandbox_protocol.py" })
        {
            using var resource = typeof(SandboxEnvironment).Assembly.GetManifestResourceStream($"R1Actors.Sandbox.{name}")
                ?? throw new InvalidOperationException($"the sandbox file {name} is missing from the R1Actors.Rewards assembly");
            using var file = File.Create(Path.Combine(directory, name));
            resource.CopyTo(file);
        }
        return directory;
    }

    private static bool TryCreateCgroupParents(string parent)
    {
        try
        {
            if (!File.Exists(Path.Combine(PidsRoot, "cgroup.procs")) || !File.Exists(Path.Combine(MemoryRoot, "memory.limit_in_bytes"))) return false;
            Directory.CreateDirectory(Path.Combine(PidsRoot, parent));
            Directory.CreateDirectory(Path.Combine(MemoryRoot, parent));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
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

    private static bool Succeeds(string file, string arguments) => Capture(file, arguments) is not null;

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

    public void Dispose()
    {
        try { Directory.Delete(JudgeDirectory, recursive: true); } catch (IOException) { }
        foreach (var root in new[] { PidsRoot, MemoryRoot })
        {
            try { Directory.Delete(Path.Combine(root, CgroupParent)); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
