using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>The lowest isolation level still runs, limits time and reaps what the program left behind.</summary>
[Collection(SandboxCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RlimitsFallbackTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Rlimits_level_runs_programs_and_reports_its_level()
    {
        var settings = fixture.Settings with { Isolation = IsolationPreference.Rlimits, Python = "/usr/bin/python3" };
        using var environment = SandboxEnvironment.Detect(settings);
        using var sandbox = new ProcessSandbox(environment, settings, TimeProvider.System);
        var passed = await sandbox.RunAsync(new SandboxJob("print(input()[::-1])", [new StdioCase("abc\n", "cba")], null, null), 0, CancellationToken.None);
        Assert.True(passed.Passed, passed.Reason);
        Assert.Equal(IsolationLevel.RlimitsOnly, passed.Isolation);
        var looping = await sandbox.RunAsync(new SandboxJob("import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nwhile True:\n    pass\n", [new StdioCase("", "x")], null, null), 0, CancellationToken.None);
        Assert.False(looping.Passed);
        // Whichever limit strikes first: the wall clock (a loaded machine) or the CPU-time rlimit (an idle one).
        Assert.Contains(looping.Cases[0].Status, new[] { "timeout", "killed" });
        Assert.Equal(0, fixture.SandboxProcessesAlive());
    }

    [Fact]
    public void An_interpreter_the_sandbox_uid_cannot_reach_is_refused_as_root_with_the_key_to_change()
    {
        var hidden = Directory.CreateTempSubdirectory("r1actors-private-");
        try
        {
            File.SetUnixFileMode(hidden.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var python = Path.Combine(hidden.FullName, "python3");
            File.Copy("/usr/bin/python3.11", python + ".real");
            var settings = fixture.Settings with { Isolation = IsolationPreference.Rlimits, Python = python + ".real" };
            if (Environment.IsPrivilegedProcess)
            {
                var error = Assert.Throws<InvalidOperationException>(() => SandboxEnvironment.Detect(settings));
                Assert.Contains("r1.rewards.code.python", error.Message);
            }
            else
            {
                // Without root the program runs as the caller, who can reach the interpreter: it is accepted.
                using var environment = SandboxEnvironment.Detect(settings);
                Assert.Equal(IsolationLevel.RlimitsOnly, environment.Level);
            }
        }
        finally
        {
            hidden.Delete(recursive: true);
        }
    }
}
