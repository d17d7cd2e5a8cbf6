using System.Globalization;
using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// Process-level, every objective besides grpo (which <see cref="ExactResumeTests"/> covers): the built
/// <c>r1actors train</c> in deterministic mode is SIGKILLed soon after a complete checkpoint, restarted on the same
/// folder, and must end bit for bit where the same run in one go ended. Small step counts keep each under ~15 s.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ObjectiveResumeTests : IDisposable
{
    private static readonly TimeSpan Timeout = ReferenceRun.Timeout;
    private readonly string _root = Directory.CreateTempSubdirectory("r1-objectives-").FullName;
    private readonly List<DaemonProcess> _daemons = [];

    [Fact]
    public Task Online_rft_resumes_exactly_after_sigkill() =>
        KillAndResume(["r1.training.objective=rft", "r1.pipeline.max-steps=8", "r1.pipeline.checkpoint-every=2"], "checkpoints", 2);

    [Fact]
    public Task Offline_rft_resumes_exactly_after_sigkill_in_its_supervised_epochs() =>
        KillAndResume(["r1.training.objective=rft", "r1.training.rft.mode=offline", "r1.training.rft.offline-prompts=24",
            "r1.training.rft.epochs=3", "r1.training.sft.batch-size=4", "r1.pipeline.checkpoint-every=2"], "checkpoints", 2);

    [Fact]
    public Task Sft_on_a_trace_file_resumes_exactly_after_sigkill() =>
        KillAndResume(["r1.training.objective=sft", $"r1.training.sft.traces=\"{Traces()}\"", "r1.training.sft.epochs=3",
            "r1.training.sft.batch-size=4", "r1.pipeline.checkpoint-every=2"], "checkpoints", 2);

    [Fact]
    public async Task A_cold_start_then_grpo_killed_in_the_cold_start_resumes_it_hands_over_and_ends_exactly()
    {
        var traces = Traces();
        await KillAndResume([$"r1.training.sft.traces=\"{traces}\"", "r1.training.sft.epochs=2", "r1.training.sft.batch-size=4",
            "r1.pipeline.max-steps=6", "r1.pipeline.checkpoint-every=2"], Path.Combine("cold-start", "checkpoints"), 2);
        var run = Directory.GetDirectories(_root, "killed").Single();
        Assert.True(File.Exists(Path.Combine(run, "cold-start", "model", "model.safetensors")));
        Assert.False(File.Exists(Path.Combine(run, "cold-start", "model", "optimizer.safetensors")));
        Assert.Equal(6, NewestComplete(Path.Combine(run, "checkpoints")));
    }

    /// <summary>
    /// One run in one go; another SIGKILLed once <paramref name="killAfter"/> is complete in <paramref name="watched"/>
    /// (and before its last checkpoint), then resumed; their final checkpoints must be identical.
    /// </summary>
    private async Task KillAndResume(string[] overrides, string watched, long killAfter)
    {
        var (reference, killed) = (Path.Combine(_root, "reference"), Path.Combine(_root, "killed"));
        var settings = ReferenceRun.Settings(["r1.eval.before-training=false", .. overrides]);
        Assert.Equal(0, await Start(reference, settings).ExitAsync(Timeout));
        var final = NewestComplete(Path.Combine(reference, "checkpoints")) ?? throw new InvalidOperationException("the reference run wrote no checkpoint");

        var first = Start(killed, settings);
        await RunFolder.KillWhenAsync(() => NewestComplete(Path.Combine(killed, watched)) >= killAfter, first, Timeout, $"a complete {watched}/checkpoint-{killAfter}");
        Assert.True(final != NewestComplete(Path.Combine(killed, "checkpoints")), "the first process finished before the kill; the test proves nothing");
        var second = Start(killed, settings);
        Assert.True(await second.ExitAsync(Timeout) == 0, second.Output);

        ReferenceRun.AssertSameCheckpoint(Path.Combine(reference, "checkpoints", $"checkpoint-{final}"), Path.Combine(killed, "checkpoints", $"checkpoint-{final}"));
        Assert.Contains(new RunFolder(killed).Events(), e => RunFolder.Kind(e) == "RunResumed");
    }

    /// <summary>40 cold-start traces in the tiny task's own form: a+b= and the sum written least-significant digit first.</summary>
    private string Traces()
    {
        var path = Path.Combine(_root, "traces.jsonl");
        var random = new Random(7);
        File.WriteAllLines(path, Enumerable.Range(0, 40).Select(_ => (random.Next(1, 1000), random.Next(1, 1000))).Select(p =>
            JsonSerializer.Serialize(new { prompt = $"{p.Item1}+{p.Item2}=", completion = new string([.. (p.Item1 + p.Item2).ToString(CultureInfo.InvariantCulture).Reverse()]) })));
        return path;
    }

    private static long? NewestComplete(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetDirectories(folder, "checkpoint-*").Where(d => File.Exists(Path.Combine(d, "manifest.json")))
                .Select(d => (long?)long.Parse(Path.GetFileName(d)["checkpoint-".Length..], CultureInfo.InvariantCulture)).Max()
            : null;

    private DaemonProcess Start(string runDirectory, IReadOnlyList<string> settings)
    {
        var daemon = DaemonProcess.Train(runDirectory, settings);
        _daemons.Add(daemon);
        return daemon;
    }

    public void Dispose()
    {
        foreach (var daemon in _daemons)
            daemon.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
