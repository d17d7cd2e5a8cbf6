using System.Diagnostics;
using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>
/// Slot cgroups on v1 (this machine, as root), on the real cgroup2 mount (a test-made subtree of it) and on a
/// fake v2 tree with pids and memory; and the layout read from mountinfo of pure v2, v1 and hybrid hosts.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SandboxCgroupsTests
{
    private const string Ubuntu2204MountInfo =
        "24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n" +
        "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n" +
        "36 24 0:31 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw\n";

    private const string CentOs7MountInfo =
        "24 22 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,seclabel,mode=755\n" +
        "25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,seclabel,xattr,name=systemd\n" +
        "28 24 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,seclabel,cpuacct,cpu\n" +
        "29 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,seclabel,memory\n" +
        "33 24 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,seclabel,pids\n";

    // This machine's /proc/self/mountinfo (v1 hierarchies plus a cgroup2 mount at .../unified).
    private const string HybridMountInfo =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n" +
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n" +
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n" +
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

    [Fact]
    public void Pure_v2_host_has_only_the_unified_mount_and_the_own_cgroup_under_it()
    {
        var layout = new CgroupLayout("0::/user.slice/user-1000.slice/user@1000.service/app.slice/r1.scope\n", Ubuntu2204MountInfo);
        Assert.Null(layout.V1Mount("pids"));
        Assert.Null(layout.V1Mount("memory"));
        Assert.Equal("/sys/fs/cgroup", layout.UnifiedMount);
        Assert.Equal("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/r1.scope", layout.OwnUnifiedCgroup);
        Assert.Equal(["pids", "memory"], layout.Controllers);
    }

    [Fact]
    public void V1_host_has_a_hierarchy_per_controller_and_no_unified_mount()
    {
        var layout = new CgroupLayout("11:pids:/user.slice\n4:memory:/user.slice\n1:name=systemd:/user.slice/session-1.scope\n", CentOs7MountInfo);
        Assert.Equal("/sys/fs/cgroup/pids", layout.V1Mount("pids"));
        Assert.Equal("/sys/fs/cgroup/memory", layout.V1Mount("memory"));
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1Mount("cpu"));
        Assert.Null(layout.UnifiedMount);
        Assert.Null(layout.OwnUnifiedCgroup);
    }

    [Fact]
    public void Hybrid_host_has_both_and_the_own_v2_cgroup_may_be_the_unified_root()
    {
        var layout = new CgroupLayout("9:name=systemd:/\n8:pids:/\n4:memory:/process_api/7c31\n0::/\n", HybridMountInfo);
        Assert.Equal("/sys/fs/cgroup/pids", layout.V1Mount("pids"));
        Assert.Equal("/sys/fs/cgroup/memory", layout.V1Mount("memory"));
        Assert.Null(layout.V1Mount("systemd")); // name=systemd is not the controller
        Assert.Equal("/sys/fs/cgroup/unified", layout.UnifiedMount);
        Assert.Equal("/sys/fs/cgroup/unified", layout.OwnUnifiedCgroup);
    }

    /// <summary>Without root this machine delegates no cgroup (v1 is root's, the cgroup2 root is root's): both reasons are given.</summary>
    private static bool RefusedWithoutRoot()
    {
        if (Environment.IsPrivilegedProcess) return false;
        Assert.Null(SandboxCgroups.TryCreate($"r1actors-test-{Guid.NewGuid():N}", out var whyNot));
        Assert.Contains("cgroup v1: ", whyNot);
        Assert.Contains("cgroup v2 at ", whyNot);
        return true;
    }

    [Fact]
    public void A_folder_left_by_a_killed_process_is_removed_at_the_next_start()
    {
        if (RefusedWithoutRoot()) return;
        // pid_max is at most 2^22: no live process has this pid.
        var stale = "/sys/fs/cgroup/pids/r1actors-stale-99999999";
        Directory.CreateDirectory(Path.Join(stale, "slot-0-1"));
        using var cgroups = SandboxCgroups.TryCreate($"r1actors-stale-{Environment.ProcessId}", out var whyNot);
        Assert.True(cgroups is not null, whyNot);
        Assert.False(Directory.Exists(stale), "the dead process's cgroup folder was left");
    }

    [Fact]
    public void Real_machine_as_root_uses_v1_and_removing_a_slot_kills_its_processes()
    {
        if (RefusedWithoutRoot()) return;
        var name = $"r1actors-test-{Guid.NewGuid():N}";
        var cgroups = SandboxCgroups.TryCreate(name, out var whyNot);
        Assert.True(cgroups is not null, whyNot);
        using var sleeper = StartSleep();
        try
        {
            Assert.Equal("v1", cgroups.Version);
            Assert.Contains(name, cgroups.Description);
            var folders = cgroups.CreateSlot("slot0", 16, 64L << 20);
            Assert.Equal(["/sys/fs/cgroup/pids/" + name + "/slot0", "/sys/fs/cgroup/memory/" + name + "/slot0"], folders);
            Assert.Equal("16", File.ReadAllText(Path.Join(folders[0], "pids.max")).Trim());
            Assert.Equal((64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Join(folders[1], "memory.limit_in_bytes")).Trim());
            foreach (var folder in folders) Join(folder, sleeper.Id);
            Assert.Contains(sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllLines(Path.Join(folders[0], "cgroup.procs")));

            cgroups.RemoveSlot(folders); // v1 has no cgroup.kill: this is the SIGKILL-each-pid path
            Assert.True(sleeper.WaitForExit(2_000), "the slot's process outlived RemoveSlot");
            Assert.All(folders, f => Assert.False(Directory.Exists(f), f));
        }
        finally
        {
            cgroups.Dispose();
            Kill(sleeper);
        }
        Assert.False(Directory.Exists("/sys/fs/cgroup/pids/" + name));
        Assert.False(Directory.Exists("/sys/fs/cgroup/memory/" + name));
    }

    [Fact]
    public void Pids_max_refuses_the_fork_past_the_limit()
    {
        if (RefusedWithoutRoot()) return;
        var cgroups = SandboxCgroups.TryCreate($"r1actors-test-{Guid.NewGuid():N}", out var whyNot);
        Assert.True(cgroups is not null, whyNot);
        using (cgroups)
        {
            var folders = cgroups.CreateSlot("forks", 3, 64L << 20);
            try
            {
                // sh plus two sleeps fill pids.max = 3; the third sleep cannot be forked.
                var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
                foreach (var arg in new[] { "-c", $"echo 0 > {folders[0]}/cgroup.procs; for i in 1 2 3 4 5 6; do sleep 1 & done; wait; echo all-forked >&2" }) start.ArgumentList.Add(arg);
                using var shell = Process.Start(start)!;
                var stderr = shell.StandardError.ReadToEnd();
                Assert.True(shell.WaitForExit(5_000));
                Assert.Contains("fork", stderr, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("all-forked", stderr);
            }
            finally
            {
                cgroups.RemoveSlot(folders);
            }
            Assert.All(folders, f => Assert.False(Directory.Exists(f), f));
        }
    }

    [Fact]
    public void Real_cgroup2_mount_evacuates_the_own_processes_and_kills_a_slot_with_cgroup_kill()
    {
        if (RefusedWithoutRoot()) return;
        // The cgroup2 mount of this machine (hybrid: /sys/fs/cgroup/unified; pure v2: /sys/fs/cgroup). The "own" cgroup
        // is a test-made folder holding a sleep, so evacuation only moves that sleep.
        var machine = CgroupLayout.ReadMachine();
        var mount = machine.UnifiedMount;
        Assert.True(mount is not null, "no cgroup2 mount on this machine");
        var own = Path.Join(mount, $"r1actors-test-{Guid.NewGuid():N}");
        var rootSubtree = Path.Join(mount, "cgroup.subtree_control");
        // The hybrid mount offers hugetlb at most; enable it for children (undone below) so that subtree_control is really written.
        var enabledHugetlb = File.ReadAllText(Path.Join(mount, "cgroup.controllers")).Split(' ', '\n').Contains("hugetlb")
            && !File.ReadAllText(rootSubtree).Split(' ', '\n').Contains("hugetlb") && TryWrite(rootSubtree, "+hugetlb");
        Directory.CreateDirectory(own);
        using var daemon = StartSleep();
        using var program = StartSleep();
        SandboxCgroups? cgroups = null;
        try
        {
            Join(own, daemon.Id);
            var required = File.ReadAllText(Path.Join(own, "cgroup.controllers")).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (enabledHugetlb) Assert.Equal(["hugetlb"], required);
            var unifiedOnly = string.Join('\n', machine.MountInfo.Split('\n').Where(l => l.Contains(" - cgroup2 ", StringComparison.Ordinal)));
            var layout = new CgroupLayout($"0::/{Path.GetFileName(own)}\n", unifiedOnly, required);
            cgroups = SandboxCgroups.TryCreate("r1", layout, out var whyNot);
            Assert.True(cgroups is not null, whyNot);
            Assert.Equal("v2", cgroups.Version);
            Assert.Contains($"{own}/r1", cgroups.Description);
            Assert.Equal([daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], File.ReadAllLines(Path.Join(own, "r1-daemon", "cgroup.procs")));
            Assert.Empty(File.ReadAllText(Path.Join(own, "cgroup.procs")).Trim());
            foreach (var controller in required)
            {
                Assert.Contains(controller, File.ReadAllText(Path.Join(own, "cgroup.subtree_control")));
                Assert.Contains(controller, File.ReadAllText(Path.Join(own, "r1", "cgroup.subtree_control")));
            }

            var slot = cgroups.CreateSlot("slot0", 8, 64L << 20);
            Assert.Equal([Path.Join(own, "r1", "slot0")], slot);
            Join(slot[0], program.Id);
            Assert.True(File.Exists(Path.Join(slot[0], "cgroup.kill")), "kernel < 5.14: RemoveSlot used the SIGKILL fallback");
            cgroups.RemoveSlot(slot);
            Assert.True(program.WaitForExit(2_000), "the slot's process outlived RemoveSlot");
            Assert.False(Directory.Exists(slot[0]));

            cgroups.Dispose();
            Assert.False(Directory.Exists(Path.Join(own, "r1")));
            Assert.False(Directory.Exists(Path.Join(own, "r1-daemon")), "the daemon was not moved back out of its leaf");
            Assert.Equal([daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], File.ReadAllLines(Path.Join(own, "cgroup.procs")));
            Assert.Empty(File.ReadAllText(Path.Join(own, "cgroup.subtree_control")).Trim());
            Assert.False(daemon.HasExited);
        }
        finally
        {
            cgroups?.Dispose();
            Kill(daemon);
            Kill(program);
            foreach (var folder in new[] { Path.Join(own, "r1", "slot0"), Path.Join(own, "r1"), Path.Join(own, "r1-daemon"), own })
            {
                if (Directory.Exists(folder)) Directory.Delete(folder);
            }
            if (enabledHugetlb) TryWrite(rootSubtree, "-hugetlb");
        }
    }

    [Fact]
    public void Real_cgroup2_root_without_pids_and_memory_says_which_controllers_it_offers()
    {
        var machine = CgroupLayout.ReadMachine();
        var mount = machine.UnifiedMount;
        Assert.True(mount is not null, "no cgroup2 mount on this machine");
        var offered = File.ReadAllText(Path.Join(mount, "cgroup.controllers")).Trim();
        if (offered.Contains("pids", StringComparison.Ordinal) && offered.Contains("memory", StringComparison.Ordinal)) return; // a pure v2 host: nothing missing to report
        var unifiedOnly = string.Join('\n', machine.MountInfo.Split('\n').Where(l => l.Contains(" - cgroup2 ", StringComparison.Ordinal)));
        var cgroups = SandboxCgroups.TryCreate("r1", new CgroupLayout("0::/\n", unifiedOnly), out var whyNot);
        Assert.Null(cgroups);
        Assert.Contains($"cgroup v2 at {mount}: controllers ", whyNot);
        Assert.Contains($"not available in {mount}/cgroup.controllers (available: {(offered.Length == 0 ? "none" : offered)})", whyNot);
        Assert.StartsWith("cgroup v1: no pids hierarchy", whyNot);
    }

    [Fact]
    public void Fake_v2_tree_gets_pids_and_memory_enabled_and_slot_limits_written()
    {
        var root = Directory.CreateTempSubdirectory("r1actors-cgroup2-");
        try
        {
            var own = FakeCgroup(root.FullName, "cpu io memory pids", procs: "4242\n");
            var cgroups = SandboxCgroups.TryCreate("r1", FakeLayout(root.FullName), out var whyNot);
            Assert.True(cgroups is not null, whyNot);
            Assert.Equal("v2", cgroups.Version);
            Assert.Equal("4242", File.ReadAllText(Path.Join(own, "r1-daemon", "cgroup.procs")));
            Assert.Equal("+pids +memory", File.ReadAllText(Path.Join(own, "cgroup.subtree_control")));
            Assert.Equal("+pids +memory", File.ReadAllText(Path.Join(own, "r1", "cgroup.subtree_control")));

            var slot = cgroups.CreateSlot("slot3", 12, 1L << 30);
            Assert.Equal([Path.Join(own, "r1", "slot3")], slot);
            Assert.Equal("12", File.ReadAllText(Path.Join(slot[0], "pids.max")));
            Assert.Equal("1073741824", File.ReadAllText(Path.Join(slot[0], "memory.max")));
            Assert.Equal("0", File.ReadAllText(Path.Join(slot[0], "memory.swap.max")));

            // A plain folder with files cannot be rmdir'ed: removal gives up after its bounded attempts, without throwing.
            File.WriteAllText(Path.Join(slot[0], "cgroup.kill"), "");
            var watch = Stopwatch.StartNew();
            cgroups.RemoveSlot(slot);
            cgroups.RemoveSlot([Path.Join(own, "never-made")]);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Equal("1", File.ReadAllText(Path.Join(slot[0], "cgroup.kill")));

            Directory.Delete(slot[0], recursive: true);
            File.Delete(Path.Join(own, "r1", "cgroup.subtree_control"));
            cgroups.Dispose();
            Assert.False(Directory.Exists(Path.Join(own, "r1")));
            Assert.Equal("-pids -memory", File.ReadAllText(Path.Join(own, "cgroup.subtree_control")));
            Assert.Equal("4242", File.ReadAllText(Path.Join(own, "cgroup.procs")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void Fake_v2_tree_that_cannot_be_written_is_reported_as_not_delegated()
    {
        var root = Directory.CreateTempSubdirectory("r1actors-cgroup2-");
        try
        {
            var own = FakeCgroup(root.FullName, "cpu io memory pids", procs: "4242\n");
            File.WriteAllText(Path.Join(own, "r1-daemon"), "a regular file: the leaf cannot be made");
            var cgroups = SandboxCgroups.TryCreate("r1", FakeLayout(root.FullName), out var whyNot);
            Assert.Null(cgroups);
            Assert.Contains($"cgroup v2 at {root.FullName}: {own} is not writable by uid ", whyNot);
            Assert.Contains(" (not delegated): ", whyNot);
            Assert.Equal("4242\n", File.ReadAllText(Path.Join(own, "cgroup.procs")));
            Assert.Empty(File.ReadAllText(Path.Join(own, "cgroup.subtree_control")));
            Assert.False(Directory.Exists(Path.Join(own, "r1")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void Fake_v2_tree_without_pids_and_memory_names_the_missing_controllers()
    {
        var root = Directory.CreateTempSubdirectory("r1actors-cgroup2-");
        try
        {
            var own = FakeCgroup(root.FullName, "cpu io", procs: "");
            var cgroups = SandboxCgroups.TryCreate("r1", FakeLayout(root.FullName), out var whyNot);
            Assert.Null(cgroups);
            Assert.Equal(
                $"cgroup v1: no pids hierarchy in /proc/self/mountinfo; cgroup v2 at {root.FullName}: controllers pids, memory not available in {own}/cgroup.controllers (available: cpu io)",
                whyNot);
            Assert.False(Directory.Exists(Path.Join(own, "r1")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>A cgroup2 mount at the temp folder, with this process in its folder "own".</summary>
    private static CgroupLayout FakeLayout(string mount) =>
        new("0::/own\n", $"41 31 0:38 / {mount} rw,relatime - cgroup2 cgroup2 rw\n");

    private static string FakeCgroup(string mount, string controllers, string procs)
    {
        var own = Path.Join(mount, "own");
        Directory.CreateDirectory(own);
        File.WriteAllText(Path.Join(own, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Join(own, "cgroup.procs"), procs);
        File.WriteAllText(Path.Join(own, "cgroup.subtree_control"), "");
        File.WriteAllText(Path.Join(own, "cgroup.type"), "domain\n");
        return own;
    }

    private static Process StartSleep() => Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;

    private static void Join(string folder, int pid) =>
        File.WriteAllText(Path.Join(folder, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static bool TryWrite(string file, string text)
    {
        try { File.WriteAllText(file, text); return true; }
        catch (IOException) { return false; }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(); process.WaitForExit(2_000); }
        catch (InvalidOperationException) { }
    }
}
