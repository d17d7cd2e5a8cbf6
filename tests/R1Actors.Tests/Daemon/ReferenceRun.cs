using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary>The daemon tests run one at a time: each keeps the 2-core machine busy with a child process.</summary>
[CollectionDefinition(Name)]
public sealed class DaemonCollection : ICollectionFixture<ReferenceRun>
{
    public const string Name = "daemon processes";
}

/// <summary>
/// The uninterrupted run every exact-resume test compares with: 20 deterministic steps of the shipped tiny-adder
/// (hocon/default.conf) in one go, at test sizes (G = 4, B = 6 in sampler batches of 4 + 2, two verifiers), with
/// the held-out evaluation before training on, which a resumed run skips: it must not move the weights either.
/// </summary>
public sealed class ReferenceRun : IAsyncLifetime
{
    public const int Steps = 20;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string _dir = Directory.CreateTempSubdirectory("r1-reference-").FullName;

    internal RunFolder Folder => new(_dir);

    /// <summary>The deterministic test configuration, then <paramref name="overrides"/> (later keys win).</summary>
    public static IReadOnlyList<string> Settings(params string[] overrides) =>
    [
        "r1.run.deterministic=true", "r1.pipeline.max-staleness=0", "r1.torch.threads=1",
        "r1.pipeline.group-size=4", "r1.pipeline.groups-per-step=6", "r1.pipeline.prompts-per-batch=4", "r1.pipeline.verifiers=2",
        $"r1.pipeline.max-steps={Steps}", "r1.pipeline.checkpoint-every=10", "r1.run.max-duration=0",
        "r1.eval.before-training=true", "r1.eval.max-prompts=8", "r1.eval.after-training=false",
        "r1.logging.console=false",
        .. overrides,
    ];

    public async Task InitializeAsync()
    {
        using var daemon = DaemonProcess.Train(_dir, Settings());
        Assert.True(await daemon.ExitAsync(Timeout) == 0, $"the reference run failed:\n{daemon.Output}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The other run ended exactly where this one did: every tensor of the final model and of the optimizer's
    /// moments bit for bit, the same counters and resume point, and the same per-step loss and reward.
    /// </summary>
    internal void AssertSameFinalState(RunFolder other)
    {
        var (mine, theirs) = (Folder.Checkpoint(Steps), other.Checkpoint(Steps));
        AssertSameCheckpoint(mine, theirs);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(mine, "trainer_state.json")));
        using var actual = JsonDocument.Parse(File.ReadAllText(Path.Combine(theirs, "trainer_state.json")));
        Assert.Equal(History(expected, MetricNames.Loss), History(actual, MetricNames.Loss));
        Assert.Equal(History(expected, MetricNames.RewardMean), History(actual, MetricNames.RewardMean));
    }

    /// <summary>Two checkpoint folders hold the same model and optimizer bit for bit, and the same counters and resume point.</summary>
    internal static void AssertSameCheckpoint(string mine, string theirs)
    {
        Safetensors.AssertIdentical(Path.Combine(mine, "model.safetensors"), Path.Combine(theirs, "model.safetensors"));
        Safetensors.AssertIdentical(Path.Combine(mine, "optimizer.safetensors"), Path.Combine(theirs, "optimizer.safetensors"));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(mine, "trainer_state.json")));
        using var actual = JsonDocument.Parse(File.ReadAllText(Path.Combine(theirs, "trainer_state.json")));
        foreach (var field in new[] { "step", "policy_version", "optimizer_steps", "total_tokens_trained", "pipeline" })
            Assert.Equal(expected.RootElement.GetProperty(field).GetRawText(), actual.RootElement.GetProperty(field).GetRawText());
    }

    private static string[] History(JsonDocument state, string metric) =>
        [.. state.RootElement.GetProperty("metric_history").EnumerateArray().Select(m => m.GetProperty(metric).GetRawText())];
}
