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
    public async Task Killing_everything_it_sees_in_one_case_leaves_the_next_cases_and_programs_unharmed()
    {
        var program = "import os, signal\nfor p in os.listdir('/proc'):\n    if p.isdigit() and int(p) != os.getpid():\n        try:\n            os.kill(int(p), signal.SIGKILL)\n        except OSError:\n            pass\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\nprint(input())\n";
        var job = new SandboxJob(program, [new StdioCase("a\n", "a"), new StdioCase("b\n", "b"), new StdioCase("c\n", "c")], null, null);
        var result = await fixture.Sandbox.RunAsync(job, CancellationToken.None);
        Assert.True(result.Passed, result.Reason);   // it saw nothing of the sandbox to kill: its own pid namespace
        await AssertStillServes();
    }

    [Fact]
    public async Task Sysctls_and_kernel_keyrings_are_out_of_reach()
    {
        var program = """
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            done = []
            for path in ("/proc/sys/kernel/pid_max", "/proc/sys/kernel/hostname", "/proc/sys/vm/overcommit_memory"):
                try:
                    with open(path, "w") as f:
                        f.write("301")
                    done.append(path)
                except OSError:
                    pass
            # add_key("user", "r1", "leak", 4, KEY_SPEC_USER_KEYRING): state the kernel keeps per uid, beyond the run.
            number = {"x86_64": 248, "aarch64": 217}.get(__import__("platform").machine())
            if number is not None and libc.syscall(number, b"user", b"r1", b"leak", 4, -4) > 0:
                done.append("keyring")
            print("refused" if not done else "done " + ",".join(done))
            """;
        var result = await fixture.RunStdio(program, "", "refused");
        Assert.True(result.Passed, result.Reason);
        await AssertStillServes();
    }

    [Fact]
    public async Task An_error_message_that_is_not_valid_unicode_is_the_programs_failure_not_a_fault()
    {
        var result = await fixture.RunTests("def f(x):\n    raise ValueError(chr(0xd800))\n", "assert f(1) == 2\n");
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        Assert.NotNull(result.Reason);
    }

    [Fact]
    public async Task Input_the_program_never_reads_does_not_hold_the_case_past_its_wall_limit()
    {
        var servers = fixture.Process.ServersStarted;
        var result = await fixture.RunStdio("import sys, time\nsys.stdin.read(1)\ntime.sleep(30)\n", new string('x', 400_000), "x");
        Assert.False(result.Passed);
        Assert.Equal("timeout", result.Cases[0].Status);
        Assert.Equal("wall-clock limit reached", result.Cases[0].Detail);   // the server's own limit, not the run's budget
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(4), $"took {result.Elapsed}");
        Assert.Equal(servers, fixture.Process.ServersStarted);
        await AssertStillServes();
    }

    [Fact]
    public async Task System_calls_outside_what_programs_need_are_refused_even_through_the_i386_abi()
    {
        // memfd, userfaultfd and io_uring by number (x86_64 and aarch64); then getpid through int 0x80, the
        // i386 entry a 64-bit process can still use: it must not reach the kernel at all.
        var program = """
            import ctypes, os, platform
            libc = ctypes.CDLL(None, use_errno=True)
            numbers = {"x86_64": (319, 323, 425), "aarch64": (279, 282, 425)}.get(platform.machine(), ())
            reached = [n for n in numbers if libc.syscall(n, 0, 0, 0) >= 0 or ctypes.get_errno() != 38]
            if platform.machine() == "x86_64":
                libc.mmap.restype = ctypes.c_void_p
                libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
                page = libc.mmap(None, 4096, 7, 0x62, -1, 0)   # read/write/exec, private, anonymous, 32-bit
                # mov eax, [rdi]; int 0x80; ret
                ctypes.memmove(page, bytes.fromhex("8b07cd80c3"), 5)
                number = (ctypes.c_uint32 * 1).from_address(page + 512)
                number[0] = 20                                  # i386 getpid
                result = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)(page)(page + 512)
                if result != -38:
                    reached.append(f"int 0x80 -> {result}")
            print("refused" if not reached else f"reached {reached}")
            """;
        var result = await fixture.RunStdio(program, "", "refused");
        Assert.True(result.Passed, result.Reason);
        await AssertStillServes();
    }

    [Fact]
    public async Task Shared_memory_is_bounded_by_the_runs_disk_size()
    {
        var program = """
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            # IPC_PRIVATE, 300 MB, IPC_CREAT | 0600: outside the address-space limit, so the IPC namespace bounds it.
            print("refused" if libc.shmget(0, 300 << 20, 0o1600) < 0 else "allocated")
            """;
        var result = await fixture.RunStdio(program, "", "refused");
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task A_fork_bomb_under_function_tests_is_the_programs_failure()
    {
        var program = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\ndef f(x):\n    return 2 * x\n";
        var result = await fixture.RunTests(program, "assert f(2) == 4\n");
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        await AssertStillServes();
    }
}
