using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>Hostile programs are contained, and the sandbox keeps serving honest ones afterwards.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxHostileProgramTests(SandboxFixture fixture)
{
    private const string Adder = "a, b = map(int, input().split())\nprint(a + b)\n";

    private async Task AssertStillServes()
    {
        var honest = await fixture.RunStdio(Adder, "2 3\n", "5");
        Assert.True(honest.Passed, honest.Reason);
        Assert.Equal(0, fixture.SandboxProcessesAlive());
    }

    [Fact]
    public async Task The_machine_offers_namespaces_and_cgroups_as_root_and_user_namespaces_without()
    {
        // The project's machines run the suite as root with cgroup v1, and again as nobody (make test-nobody),
        // where unprivileged user namespaces work: a weaker level here means the set-up broke.
        var expected = Environment.IsPrivilegedProcess
            ? new[] { IsolationLevel.NamespacesAndCgroups }
            : [IsolationLevel.UserNamespacesAndCgroups, IsolationLevel.UserNamespaces];
        Assert.Contains(fixture.Environment.Level, expected);
        var result = await fixture.RunStdio(Adder, "1 2\n", "3");
        Assert.Equal(fixture.Environment.Level, result.Isolation);
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task Infinite_loop_is_stopped_at_the_wall_limit()
    {
        var result = await fixture.RunStdio("while True:\n    pass\n", "", "x");
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        Assert.Matches("timeout|killed", result.Cases[0].Status);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(6), $"took {result.Elapsed}");
        await AssertStillServes();
    }

    [Fact]
    public async Task Fork_bomb_is_capped_and_leaves_nothing_running()
    {
        var result = await fixture.RunStdio("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", "", "x");
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        await AssertStillServes();
    }

    [Fact]
    public async Task Memory_hog_fails_without_hurting_the_host()
    {
        var result = await fixture.RunStdio("blocks = []\nwhile True:\n    blocks.append(bytearray(16 << 20))\n", "", "x");
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        await AssertStillServes();
    }

    [Fact]
    public async Task Giant_output_is_cut_at_the_output_limit()
    {
        var result = await fixture.RunStdio("while True:\n    print('x' * 65536)\n", "", "x");
        Assert.False(result.Passed);
        Assert.Equal("output-limit", result.Cases[0].Status);
        await AssertStillServes();
    }

    [Fact]
    public async Task Writes_outside_the_work_folder_never_reach_the_host()
    {
        var marker = $"r1actors-escape-{Guid.NewGuid():N}";
        var hostTarget = Path.Combine(Path.GetTempPath(), marker);
        var program = $$"""
            import os
            wrote = []
            for path in ["/etc/{{marker}}", "/usr/{{marker}}", "{{hostTarget}}", "/{{marker}}", "../{{marker}}"]:
                try:
                    with open(path, "w") as f:
                        f.write("x")
                    wrote.append(path)
                except OSError:
                    pass
            open("inside.txt", "w").write("fine")
            print("contained" if not [p for p in wrote if not p.startswith("/tmp")] else "escaped " + repr(wrote))
            """;
        var result = await fixture.RunStdio(program, "", "contained");
        Assert.True(result.Passed, result.Reason);
        Assert.False(File.Exists(hostTarget));
        Assert.False(File.Exists("/etc/" + marker));
        await AssertStillServes();
    }

    [Fact]
    public async Task Network_is_unreachable()
    {
        var program = """
            import socket
            try:
                socket.create_connection(("1.1.1.1", 53), timeout=1)
                print("connected")
            except OSError:
                print("no network")
            """;
        var result = await fixture.RunStdio(program, "", "no network");
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task The_daemon_environment_is_not_visible()
    {
        var secret = $"r1actors-secret-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable("R1ACTORS_TEST_SECRET", secret);
        var program = $$"""
            import os
            seen = "{{secret}}" in repr(dict(os.environ))
            for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["{{Environment.ProcessId}}"]:
                try:
                    seen = seen or "{{secret}}" in open(f"/proc/{pid}/environ", errors="replace").read()
                except OSError:
                    pass
            print("found" if seen else "hidden")
            """;
        var result = await fixture.RunStdio(program, "", "hidden");
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task Killing_its_parent_does_not_stop_the_verifier()
    {
        var program = "import os, signal\nfor pid in (os.getppid(), 1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\nprint('still here')\n";
        var result = await fixture.RunStdio(program, "", "still here");
        Assert.Null(result.InfrastructureFault);
        await AssertStillServes();
    }

    [Fact]
    public async Task Background_processes_do_not_outlive_the_run()
    {
        var program = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(60)\n    os._exit(0)\nprint('done')\n";
        var result = await fixture.RunStdio(program, "", "done");
        Assert.True(result.Passed, result.Reason);
        Assert.Equal(0, fixture.SandboxProcessesAlive());
        await AssertStillServes();
    }

    [Fact]
    public async Task Killing_every_process_it_may_signal_stops_only_the_program()
    {
        var result = await fixture.RunStdio("import os, signal\nos.kill(-1, signal.SIGKILL)\nprint('after')\n", "", "after");
        Assert.Null(result.InfrastructureFault);
        await AssertStillServes();
    }

    [Fact]
    public async Task Filling_the_disk_stops_at_the_work_folder_size()
    {
        var program = """
            written = 0
            try:
                for i in range(10000):
                    with open(f"fill-{i}", "wb") as f:
                        f.write(b"x" * (256 << 10))
                    written += 1
                print("unbounded")
            except OSError:
                print("full" if written < 64 else f"full only after {written} files")
            """;
        var result = await fixture.RunStdio(program, "", "full");
        Assert.True(result.Passed, result.Reason);
        await AssertStillServes();
    }

    [Fact]
    public async Task Ignoring_signals_does_not_outlast_the_limits()
    {
        var program = "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM):\n    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n";
        var result = await fixture.RunStdio(program, "", "x");
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        Assert.Matches("timeout|killed", result.Cases[0].Status);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(6), $"took {result.Elapsed}");
        await AssertStillServes();
    }

    [Fact]
    public async Task Thread_bomb_is_capped()
    {
        var program = """
            import threading, time
            started = 0
            try:
                for _ in range(5000):
                    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
                    started += 1
                print("uncapped")
            except (RuntimeError, MemoryError, OSError):
                print("capped")
            """;
        var result = await fixture.RunStdio(program, "", "capped");
        Assert.True(result.Passed, result.Reason);
        await AssertStillServes();
    }

    [Fact]
    public async Task Hidden_tests_cannot_be_read_by_the_program()
    {
        var marker = $"R1HIDDEN{Guid.NewGuid():N}";
        var program = """
            import os
            FOUND = []
            needle = "R1HIDDEN"
            for pid in [p for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid())]:
                for name in ("cmdline", "environ", "mem"):
                    try:
                        with open(f"/proc/{pid}/{name}", "rb") as f:
                            if needle.encode() in f.read(1 << 20):
                                FOUND.append(f"{pid}/{name}")
                    except OSError:
                        pass
                try:
                    for fd in os.listdir(f"/proc/{pid}/fd"):
                        try:
                            with open(f"/proc/{pid}/fd/{fd}", "rb") as f:
                                if needle.encode() in f.read(1 << 20):
                                    FOUND.append(f"{pid}/fd/{fd}")
                        except OSError:
                            pass
                except OSError:
                    pass
            for folder in ("/tmp", ".", "/work", "/dev/shm"):
                try:
                    for entry in os.listdir(folder):
                        try:
                            if needle in open(os.path.join(folder, entry), errors="replace").read():
                                FOUND.append(entry)
                        except OSError:
                            pass
                except OSError:
                    pass

            def leak():
                return "found " + ",".join(FOUND) if FOUND else "hidden"
            """;
        var result = await fixture.RunTests(program, $"# {marker}\nassert leak() == 'hidden'\n");
        Assert.True(result.Passed, result.Reason);
    }
}
