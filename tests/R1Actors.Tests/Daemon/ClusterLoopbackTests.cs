using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// A cluster run on 127.0.0.1, three processes and then four: a learner node that samples nothing itself and two
/// sampler nodes; one sampler node is SIGKILLed mid-run and a third joins. The run reaches its last step, learns, trains
/// every prompt at most once and loses none, and the node that joined late samples for it.
/// </summary>
public sealed class ClusterLoopbackTests : IDisposable
{
    private const int Steps = 60;
    private const int GroupsPerStep = 32;
    private const int MaxStaleness = 1;

    /// <summary>Every node's settings on loopback: a cut-off node downed within seconds, rejoins a second apart, no console.</summary>
    private static readonly string[] Loopback =
    [
        "r1.cluster.enabled=true", "r1.cluster.hostname=127.0.0.1", "r1.cluster.down-after=3s", "r1.cluster.heartbeat-pause=2s",
        "r1.cluster.rejoin-after=1s", "r1.logging.console=false", "r1.eval.every-steps=0", "r1.run.max-duration=0",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("r1-cluster-").FullName;
    private readonly List<DaemonProcess> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Sampler_nodes_train_a_run_that_survives_a_killed_node_and_uses_one_that_joins()
    {
        var port = FreePort();
        var cluster = Loopback;
        var learnerFolder = new RunFolder(Path.Combine(_root, "learner"));
        var learner = Start("train", learnerFolder.Path, [.. cluster, $"r1.cluster.port={port}", "r1.pipeline.devices=[]",
            $"r1.pipeline.max-steps={Steps}", $"r1.pipeline.groups-per-step={GroupsPerStep}", $"r1.pipeline.max-staleness={MaxStaleness}", "r1.pipeline.checkpoint-every=0"]);
        string[] Node(string name) => [.. cluster, "r1.cluster.port=0", $"r1.cluster.seed-nodes=[\"127.0.0.1:{port}\"]", $"r1.cluster.node-name={name}"];
        var first = Start("sampler", Path.Combine(_root, "s1"), Node("s1"));
        var doomed = Start("sampler", Path.Combine(_root, "s2"), Node("s2"));

        await RunFolder.WaitUntilAsync(() => learnerFolder.LastLoggedStep() >= 15, learner, TimeSpan.FromMinutes(3), "step 15");
        Assert.Contains(learnerFolder.Events(), e => Joined(e, "s2"));
        doomed.Kill();
        await RunFolder.WaitUntilAsync(() => learnerFolder.Events().Any(e => RunFolder.Kind(e) == "NodeDowned"), learner, TimeSpan.FromMinutes(1), "the killed node downed");
        var late = Start("sampler", Path.Combine(_root, "s3"), Node("s3"));
        Assert.True(await learner.ExitAsync(TimeSpan.FromMinutes(4)) == 0, learner.Output);
        first.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, await first.ExitAsync(TimeSpan.FromSeconds(60)));

        var events = learnerFolder.Events();
        var steps = RunFolder.Steps(events);
        Assert.Equal(Enumerable.Range(1, Steps).Select(s => (long)s), steps.Select(e => RunFolder.Long(e, "Step")));
        Assert.Contains(events, e => RunFolder.Kind(e) == "RunStopped" && e.GetProperty("StopReason").GetString() == "MaxSteps");
        Assert.Contains(events, e => Joined(e, "s1"));
        Assert.Contains(events, e => Joined(e, "s3"));
        var downed = Assert.Single(events, e => RunFolder.Kind(e) == "NodeDowned");
        Assert.Equal("s2", downed.GetProperty("NodeName").GetString());
        Assert.Contains(events, e => RunFolder.Kind(e) == "PromptsReissued" && e.GetProperty("NodeName").GetString() == "s2");
        Assert.True(SampledBy(events, "s3") > 0, "the node that joined mid-run sampled nothing");

        // Every prompt admitted is trained or dropped as stale exactly once; none is lost (at most the in-flight
        // budget's worth, admitted when the run ended, is neither).
        var trained = steps.SelectMany(e => Ordinals(e, "TrainedPrompts")).ToList();
        var dropped = steps.SelectMany(e => Ordinals(e, "DroppedPrompts")).ToList();
        Assert.Equal(Steps * GroupsPerStep, trained.Count);
        var fates = trained.Concat(dropped).ToList();
        Assert.Equal(fates.Count, fates.Distinct().Count());
        var unaccounted = Enumerable.Range(0, (int)fates.Max() + 1).Select(o => (long)o).Except(fates).ToList();
        var budget = (MaxStaleness + 1) * GroupsPerStep;
        Assert.True(unaccounted.Count <= budget && unaccounted.All(o => o > fates.Max() - 2 * budget),
            $"{unaccounted.Count} prompts were admitted and never trained or dropped: {string.Join(", ", unaccounted.Take(20))} (the last trained or dropped is {fates.Max()})");

        // It learns: held-out accuracy after the run against before it.
        var gain = events.Where(e => e.TryGetProperty("HeldOutGainPoints", out _)).Select(e => RunFolder.Number(e, "HeldOutGainPoints")).Single();
        Assert.True(gain >= 5, $"held-out accuracy moved {gain:F1} points over {Steps} steps");
        Assert.False(late.HasExited, late.Output);
        // The run's end is not a lost learner: the node was told, and left without alarm.
        Assert.DoesNotContain(new RunFolder(Path.Combine(_root, "s1")).Events(), e => RunFolder.Kind(e) == "LearnerLost");
    }

    [Fact]
    public async Task Sampler_nodes_wait_for_a_killed_learner_and_serve_it_again_when_it_resumes_from_its_checkpoint()
    {
        var port = FreePort();
        string[] cluster = [.. Loopback, "r1.eval.before-training=false", "r1.eval.after-training=false"];
        var learnerFolder = new RunFolder(Path.Combine(_root, "learner"));
        string[] learnerSets = [.. cluster, $"r1.cluster.port={port}", "r1.pipeline.devices=[]", "r1.pipeline.max-steps=30", "r1.pipeline.checkpoint-every=10"];
        var learner = Start("train", learnerFolder.Path, learnerSets);
        var nodeFolder = new RunFolder(Path.Combine(_root, "s1"));
        var node = Start("sampler", nodeFolder.Path, [.. cluster, "r1.cluster.port=0", $"r1.cluster.seed-nodes=[\"127.0.0.1:{port}\"]", "r1.cluster.node-name=s1"]);
        await RunFolder.KillWhenAsync(() => learnerFolder.NewestCompleteCheckpoint() >= 10, learner, TimeSpan.FromMinutes(3), "checkpoint 10");
        await RunFolder.WaitUntilAsync(() => nodeFolder.Events().Any(e => RunFolder.Kind(e) == "LearnerLost"), node, TimeSpan.FromMinutes(1), "the node noticing the learner is gone");

        var resumed = Start("train", learnerFolder.Path, learnerSets);
        Assert.True(await resumed.ExitAsync(TimeSpan.FromMinutes(3)) == 0, resumed.Output);
        var segment = learnerFolder.Segments()[^1];
        Assert.Contains(segment, e => RunFolder.Kind(e) == "RunResumed");
        Assert.Contains(segment, e => Joined(e, "s1"));                 // the same node, joined again
        var steps = RunFolder.Steps(segment).Select(e => RunFolder.Long(e, "Step")).ToList();
        Assert.Equal(30, steps[^1]);
        Assert.True(steps[0] > 10 && steps[0] <= 11 + 10, $"the resumed run started at step {steps[0]}");
        Assert.False(node.HasExited, node.Output);                      // it waited, and waits again now
    }

    private DaemonProcess Start(string command, string folder, IEnumerable<string> sets)
    {
        var process = DaemonProcess.Start(command, folder, sets);
        _processes.Add(process);
        return process;
    }

    private static bool Joined(JsonElement e, string node) => RunFolder.Kind(e) == "NodeJoined" && e.GetProperty("NodeName").GetString() == node;

    private static long SampledBy(IEnumerable<JsonElement> events, string node) =>
        events.Where(e => e.TryGetProperty("RolloutsSampled", out _) && e.GetProperty("NodeName").GetString() == node)
            .Select(e => RunFolder.Long(e, "RolloutsSampled")).DefaultIfEmpty(0).Sum();

    private static IEnumerable<long> Ordinals(JsonElement step, string property) =>
        step.GetProperty(property).EnumerateArray().Select(o => o.GetInt64());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
