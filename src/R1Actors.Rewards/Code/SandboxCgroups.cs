// Cgroups for the sandbox's fork servers: one cgroup per verifier slot, alive as long as its server, that bounds
// the processes and memory of everything the server and its programs start. This class only makes, configures
// and removes folders; the server joins its slot by writing "0" to <folder>/cgroup.procs of each folder.
// Choices:
//   - v1 (separate pids and memory hierarchies, root only) is preferred when both are writable: the project's
//     machines have it, and its behaviour must not change there.
//   - v2 needs a delegated subtree: the own cgroup (from the 0:: line) must be writable and offer the controllers.
//     The no-internal-processes rule forbids enabling controllers for children of a cgroup that has processes,
//     so these are first moved to a leaf `<own>/<name>-daemon` (not done at the true root, which is exempt).
//   - Every probe really creates the folders: permission bits say little as root, and a cgroupfs refuses with
//     EACCES/EPERM/EBUSY only when asked.
// What it does NOT do: cpu or io limits, threaded cgroups, or moving other processes than those of the own cgroup.
using System.Diagnostics;
using System.Globalization;

namespace R1Actors.Rewards.Code;

/// <summary>The cgroup mounts and this process's place in them: the texts of /proc/self/cgroup and /proc/self/mountinfo.</summary>
/// <param name="RequiredControllers">The v2 controllers to enable; null means pids and memory.</param>
internal sealed record CgroupLayout(string ProcSelfCgroup, string MountInfo, IReadOnlyList<string>? RequiredControllers = null)
{
    public static CgroupLayout ReadMachine() => new(File.ReadAllText("/proc/self/cgroup"), File.ReadAllText("/proc/self/mountinfo"));

    public IReadOnlyList<string> Controllers => RequiredControllers ?? ["pids", "memory"];

    /// <summary>Mount point of the v1 hierarchy whose super options name <paramref name="controller"/>.</summary>
    public string? V1Mount(string controller) => Mounts()
        .FirstOrDefault(m => m.FsType == "cgroup" && m.SuperOptions.Split(',').Contains(controller)).MountPoint;

    /// <summary>Mount point of the unified (cgroup2) hierarchy.</summary>
    public string? UnifiedMount => Mounts().FirstOrDefault(m => m.FsType == "cgroup2").MountPoint;

    /// <summary>This process's own v2 cgroup folder: the cgroup2 mount joined with the path of the 0:: line.</summary>
    public string? OwnUnifiedCgroup
    {
        get
        {
            var mount = Mounts().FirstOrDefault(m => m.FsType == "cgroup2");
            var line = ProcSelfCgroup.Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal));
            if (mount.MountPoint is null || line is null) return null;
            var path = line[3..].Trim();
            // A mount of a sub-tree (root field not "/") shows the path relative to the hierarchy's root.
            if (mount.Root != "/" && path.StartsWith(mount.Root, StringComparison.Ordinal)) path = path[mount.Root.Length..];
            return path.Trim('/').Length == 0 ? mount.MountPoint : Path.Join(mount.MountPoint, path.Trim('/'));
        }
    }

    // mountinfo: id parent major:minor root mount-point options [optional fields...] - fstype source super-options
    private IEnumerable<(string Root, string MountPoint, string FsType, string SuperOptions)> Mounts()
    {
        foreach (var line in MountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 5 || fields.Length < dash + 4) continue;
            yield return (Unescape(fields[3]), Unescape(fields[4]), fields[dash + 1], fields[dash + 3]);
        }
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}

/// <summary>cgroup support: v1 (separate pids and memory hierarchies) or v2 (a delegated subtree of the unified hierarchy).</summary>
public sealed class SandboxCgroups : IDisposable
{
    private readonly IReadOnlyList<string> parents;   // v1: [pids, memory]; v2: [<own>/<name>]
    private readonly IReadOnlyList<string> controllers;
    private readonly string? own;                     // v2 only
    private string? leaf;                             // v2: where the own cgroup's processes were moved
    private List<string> enabledHere = [];            // v2: controllers this class enabled in <own>/cgroup.subtree_control
    private bool disposed;

    private SandboxCgroups(string version, string description, IReadOnlyList<string> parents, IReadOnlyList<string> controllers, string? own)
    {
        Version = version;
        Description = description;
        this.parents = parents;
        this.controllers = controllers;
        this.own = own;
    }

    /// <summary>"v1" or "v2".</summary>
    public string Version { get; }

    /// <summary>Where the cgroups live, for the start-up log.</summary>
    public string Description { get; private set; }

    /// <summary>Detects what this process may use on the real machine; null (with the reason in <paramref name="whyNot"/>) when neither works.</summary>
    public static SandboxCgroups? TryCreate(string name, out string whyNot)
    {
        if (!OperatingSystem.IsLinux()) { whyNot = "cgroups need Linux"; return null; }
        CgroupLayout layout;
        try { layout = CgroupLayout.ReadMachine(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { whyNot = $"cannot read /proc/self/cgroup or /proc/self/mountinfo: {e.Message}"; return null; }
        return TryCreate(name, layout, out whyNot);
    }

    /// <summary>Same as <see cref="TryCreate(string, out string)"/>, against a given layout.</summary>
    internal static SandboxCgroups? TryCreate(string name, CgroupLayout layout, out string whyNot)
    {
        var v1 = TryV1(name, layout, out var whyNotV1);
        if (v1 is not null) { whyNot = ""; return v1; }
        var v2 = TryV2(name, layout, out var whyNotV2);
        whyNot = v2 is null ? $"{whyNotV1}; {whyNotV2}" : "";
        return v2;
    }

    private static SandboxCgroups? TryV1(string name, CgroupLayout layout, out string whyNot)
    {
        var (pids, memory) = (layout.V1Mount("pids"), layout.V1Mount("memory"));
        whyNot = pids is null || memory is null ? $"cgroup v1: no {(pids is null ? "pids" : "memory")} hierarchy in /proc/self/mountinfo"
            : !File.Exists(Path.Join(memory, "memory.limit_in_bytes")) ? $"cgroup v1: {memory}/memory.limit_in_bytes is missing" : "";
        if (whyNot.Length > 0) return null;
        var folders = new[] { Path.Join(pids, name), Path.Join(memory, name) };
        RemoveStale(pids!, name);
        RemoveStale(memory!, name);
        try
        {
            foreach (var folder in folders) Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveFolders(folders);
            whyNot = $"cgroup v1: cannot create {name} under {pids} and {memory} as uid {Uid()}: {e.Message}";
            return null;
        }
        var description = Path.GetDirectoryName(pids) == Path.GetDirectoryName(memory)
            ? $"cgroup v1 pids+memory at {Path.GetDirectoryName(pids)}/{{{Path.GetFileName(pids)},{Path.GetFileName(memory)}}}/{name}"
            : $"cgroup v1 pids+memory at {folders[0]} and {folders[1]}";
        return new SandboxCgroups("v1", description, folders, ["pids", "memory"], null);
    }

    private static SandboxCgroups? TryV2(string name, CgroupLayout layout, out string whyNot)
    {
        var (mount, own) = (layout.UnifiedMount, layout.OwnUnifiedCgroup);
        if (mount is null || own is null) { whyNot = "cgroup v2: no cgroup2 mount in /proc/self/mountinfo or no 0:: line in /proc/self/cgroup"; return null; }
        var prefix = $"cgroup v2 at {mount}";
        string[] available;
        try { available = File.ReadAllText(Path.Join(own, "cgroup.controllers")).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { whyNot = $"{prefix}: cannot read {own}/cgroup.controllers: {e.Message}"; return null; }
        var missing = layout.Controllers.Except(available).ToList();
        if (missing.Count > 0)
        {
            whyNot = $"{prefix}: controllers {string.Join(", ", missing)} not available in {own}/cgroup.controllers (available: {(available.Length == 0 ? "none" : string.Join(' ', available))})";
            return null;
        }
        var parent = Path.Join(own, name);
        RemoveStale(own, name);
        var cgroups = new SandboxCgroups("v2", $"cgroup v2 delegated subtree {parent}", [parent], layout.Controllers, own);
        string step = $"{own} is not writable by uid {Uid()} (not delegated)";
        try
        {
            var processes = ReadPids(own);
            // The true root has no cgroup.type and may keep its processes; every other cgroup must be emptied first.
            if (processes.Count > 0 && File.Exists(Path.Join(own, "cgroup.type")))
            {
                cgroups.leaf = Path.Join(own, $"{name}-daemon");
                Directory.CreateDirectory(cgroups.leaf);
                step = $"cannot move the processes of {own} to {cgroups.leaf}";
                foreach (var pid in processes) MoveProcess(pid, cgroups.leaf);
                cgroups.Description += $" (own processes moved to {cgroups.leaf})";
            }
            var subtree = Path.Join(own, "cgroup.subtree_control");
            var before = File.Exists(subtree) ? File.ReadAllText(subtree).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
            step = $"cannot enable {string.Join(' ', cgroups.controllers)} in {subtree}";
            cgroups.enabledHere = cgroups.controllers.Except(before).ToList();
            EnableControllers(own, cgroups.controllers);
            step = $"cannot create {parent} with {string.Join(' ', cgroups.controllers)} enabled";
            Directory.CreateDirectory(parent);
            EnableControllers(parent, cgroups.controllers);
            whyNot = "";
            return cgroups;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cgroups.Dispose();
            whyNot = $"{prefix}: {step}: {e.Message}";
            return null;
        }
    }

    /// <summary>Creates one slot's cgroup(s) with the limits; returns the folders the server must join (write "0" to cgroup.procs of each).</summary>
    public IReadOnlyList<string> CreateSlot(string slotName, int pidsMax, long memoryBytes)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var folders = parents.Select(p => Path.Join(p, slotName)).ToList();
        try
        {
            foreach (var folder in folders) Directory.CreateDirectory(folder);
            var (pids, memory) = (folders[0], folders[^1]);
            var (maxPids, maxBytes) = (pidsMax.ToString(CultureInfo.InvariantCulture), memoryBytes.ToString(CultureInfo.InvariantCulture));
            if (Version == "v1")
            {
                File.WriteAllText(Path.Join(pids, "pids.max"), maxPids);
                File.WriteAllText(Path.Join(memory, "memory.limit_in_bytes"), maxBytes);
                TryWrite(Path.Join(memory, "memory.memsw.limit_in_bytes"), maxBytes); // only with swap accounting
                return folders;
            }
            if (controllers.Contains("pids")) File.WriteAllText(Path.Join(pids, "pids.max"), maxPids);
            if (controllers.Contains("memory")) File.WriteAllText(Path.Join(memory, "memory.max"), maxBytes);
            if (controllers.Contains("memory")) TryWrite(Path.Join(memory, "memory.swap.max"), "0"); // absent without swap
            return folders;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveFolders(folders);
            throw new IOException($"cannot create the sandbox cgroup {slotName} under {string.Join(" and ", parents)}: {e.Message}", e);
        }
    }

    /// <summary>Kills every process still listed in the folders (SIGKILL, repeated until empty, bounded attempts) and removes them. Never throws.</summary>
    public void RemoveSlot(IReadOnlyList<string> folders) => RemoveFolders(folders);

    /// <summary>Removes the parent folder(s) (killing what is left in them); for v2 moves this process back out of its evacuation leaf where possible.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        RemoveFolders(parents);
        if (own is null) return;
        if (enabledHere.Count > 0) TryWrite(Path.Join(own, "cgroup.subtree_control"), string.Join(' ', enabledHere.Select(c => "-" + c)));
        if (leaf is null || !Directory.Exists(leaf)) return;
        try
        {
            foreach (var pid in ReadPids(leaf)) MoveProcess(pid, own);
            Directory.Delete(leaf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a sibling still needs the controllers: stay in the leaf
    }

    private static void EnableControllers(string folder, IReadOnlyList<string> names)
    {
        if (names.Count > 0) File.WriteAllText(Path.Join(folder, "cgroup.subtree_control"), string.Join(' ', names.Select(c => "+" + c)));
    }

    /// <summary>A pid that exited meanwhile is not an error (ESRCH); any other refusal is.</summary>
    private static void MoveProcess(int pid, string folder)
    {
        try { File.WriteAllText(Path.Join(folder, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture)); }
        catch (IOException) when (!Directory.Exists($"/proc/{pid}")) { }
    }

    private static void RemoveFolders(IEnumerable<string> folders)
    {
        foreach (var folder in folders)
        {
            var killFile = Path.Join(folder, "cgroup.kill"); // v2, kernel >= 5.14: kills the whole subtree at once
            for (var attempt = 0; attempt < 100 && Directory.Exists(folder); attempt++)
            {
                if (!File.Exists(killFile) || !TryWrite(killFile, "1")) foreach (var pid in ReadPids(folder)) TryKill(pid);
                try { Directory.Delete(folder); }
                catch (IOException) { Thread.Sleep(10); }
                catch (UnauthorizedAccessException) { break; }
            }
        }
    }

    /// <summary>
    /// Removes what an earlier process that was killed (SIGKILL, a crash) left: sibling folders named like
    /// <paramref name="name"/> (<c>prefix-PID</c>) whose process is gone, with their slot folders. Only empty
    /// ones go (rmdir refuses a cgroup with processes): its servers exit by themselves when their stdin closes,
    /// and a live sandbox of another pid namespace that happens to match the name is never touched.
    /// </summary>
    private static void RemoveStale(string parent, string name)
    {
        var dash = name.LastIndexOf('-');
        if (dash < 0) return;
        var prefix = name[..(dash + 1)];
        try
        {
            foreach (var folder in Directory.EnumerateDirectories(parent, prefix + "*"))
            {
                var pid = Path.GetFileName(folder)[prefix.Length..];
                if (pid.Length == 0 || !pid.All(char.IsAsciiDigit) || Directory.Exists($"/proc/{pid}")) continue;
                foreach (var slot in Directory.EnumerateDirectories(folder).Append(folder).ToList())
                {
                    try { Directory.Delete(slot); }
                    catch (IOException) { }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static List<int> ReadPids(string folder)
    {
        try
        {
            return File.ReadAllLines(Path.Join(folder, "cgroup.procs"))
                .Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(p => p > 0).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static bool TryWrite(string file, string text)
    {
        try { File.WriteAllText(file, text); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static void TryKill(int pid)
    {
        try { using var process = Process.GetProcessById(pid); process.Kill(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    private static string Uid()
    {
        try { return File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]; }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException) { return Environment.UserName; }
    }
}
