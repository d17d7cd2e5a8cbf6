using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// Process-level: the built <c>r1actors train</c> is killed and restarted on the same run folder, and must end
/// bit for bit where the uninterrupted <see cref="ReferenceRun"/> ended.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ExactResumeTests(ReferenceRun reference) : IDisposable
{
    private static readonly TimeSpan Timeout = ReferenceRun.Timeout;
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-resume-").FullName;
    private readonly List<DaemonProcess> _daemons = [];

    private RunFolder Run => new(_dir);

    [Fact]
    public async Task Ten_steps_then_sigkill_then_resume_end_with_the_weights_of_twenty_steps_in_one_go()
    {
        var first = Start();
        await RunFolder.KillWhenAsync(() => File.Exists(Path.Combine(Run.Checkpoint(10), "manifest.json")), first, Timeout, "a complete checkpoint-10"); // somewhere in step 11 or 12: their rollouts and updates are lost
        Assert.DoesNotContain(Run.Segments()[^1], e => RunFolder.Kind(e) == "RunStopped");
        Assert.Equal(10, Run.NewestCompleteCheckpoint());

        var second = Start();
        Assert.Equal(0, await second.ExitAsync(Timeout));

        AssertContinuedFrom(Run.Segments()[^1], 10);
        Assert.Equal(Enumerable.Range(11, 10).Select(s => (long)s), StepsOf(Run.Segments()[^1]));
        reference.AssertSameFinalState(Run);
    }

    [Fact]
    public async Task A_sigkill_at_random_moments_never_leaves_a_checkpoint_that_resumes_wrong()
    {
        // A checkpoint after every step, two kept: most kills land in a save, a rename or a prune. The first kill
        // comes during start-up; each later one a random 0-100 ms after the process has logged a random step.
        var random = new Random(20251128);
        string[] everyStep = ["r1.pipeline.checkpoint-every=1", "r1.training.checkpoint.keep-last=2"];
        var startup = Start(everyStep);
        await Task.Delay(random.Next(200, 1500));
        startup.Kill();
        var resumes = 0;
        foreach (var target in Enumerable.Range(0, 4).Select(_ => random.Next(2, 15)).Order())
        {
            var newest = Run.NewestCompleteCheckpoint();
            var processes = Run.Segments().Count;
            var daemon = Start(everyStep);
            await RunFolder.WaitUntilAsync(() => Run.Segments() is var s && s.Count > processes && StepsOf(s[^1]) is [.., var step] && step >= target,
                daemon, Timeout, $"step {target}");
            await Task.Delay(random.Next(0, 100));
            daemon.Kill();
            AssertContinuedFrom(Run.Segments()[^1], newest);
            resumes += newest is null ? 0 : 1;
        }
        var last = Run.NewestCompleteCheckpoint();
        var final = Start(everyStep);
        Assert.Equal(0, await final.ExitAsync(Timeout));

        AssertContinuedFrom(Run.Segments()[^1], last);
        Assert.True(resumes >= 3, $"only {resumes} of the kills came after a checkpoint");
        reference.AssertSameFinalState(Run);
    }

    [Fact]
    public async Task Sigterm_finishes_the_step_writes_a_checkpoint_exits_0_and_the_run_resumes_exactly()
    {
        var daemon = Start();
        await RunFolder.WaitUntilAsync(() => Run.LastLoggedStep() >= 2, daemon, Timeout, "step 2");
        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, await daemon.ExitAsync(Timeout));

        var stopped = Run.Segments().Single();
        var lastStep = StepsOf(stopped).Max();
        var end = stopped[^1];
        Assert.Equal("RunStopped", RunFolder.Kind(end));
        Assert.Equal("Stopped", end.GetProperty("StopReason").GetString());
        Assert.Equal(lastStep, RunFolder.Long(end, "Step"));
        Assert.InRange(lastStep, 2, ReferenceRun.Steps - 1);
        Assert.Equal(lastStep, Run.NewestCompleteCheckpoint());          // checkpoint-10 cadence, yet one at the last step
        Assert.Contains(stopped, e => e.GetProperty("@mt").GetString()!.StartsWith("Stop requested", StringComparison.Ordinal));

        var resumed = Start();
        Assert.Equal(0, await resumed.ExitAsync(Timeout));
        AssertContinuedFrom(Run.Segments()[^1], lastStep);
        reference.AssertSameFinalState(Run);
    }

    /// <summary>
    /// The process resumed from <paramref name="newest"/> (a fresh start when null) and trained on from the
    /// step after it, one step at a time. A process killed before it opened its checkpoints proves nothing either way.
    /// </summary>
    internal static void AssertContinuedFrom(IReadOnlyList<JsonElement> segment, long? newest)
    {
        var resumed = segment.Where(e => RunFolder.Kind(e) == "RunResumed").ToArray();
        var steps = StepsOf(segment);
        if (newest is null)
            Assert.Empty(resumed);
        else if (steps.Length > 0 || resumed.Length > 0)
        {
            Assert.Equal(newest, RunFolder.Long(Assert.Single(resumed), "Step"));
            Assert.EndsWith($"checkpoint-{newest}", resumed[0].GetProperty("CheckpointPath").GetString());
        }
        Assert.Equal(Enumerable.Range(1 + (int)(newest ?? 0), steps.Length).Select(s => (long)s), steps);
    }

    private static long[] StepsOf(IEnumerable<JsonElement> segment) => [.. RunFolder.Steps(segment).Select(e => RunFolder.Long(e, "Step"))];

    private DaemonProcess Start(params string[] overrides)
    {
        var daemon = DaemonProcess.Train(_dir, ReferenceRun.Settings(overrides));
        _daemons.Add(daemon);
        return daemon;
    }

    public void Dispose()
    {
        foreach (var daemon in _daemons)
            daemon.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
