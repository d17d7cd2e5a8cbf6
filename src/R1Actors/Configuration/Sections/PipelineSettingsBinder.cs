using R1Actors.Pipeline.Cluster;
using R1Actors.Pipeline.Settings;

namespace R1Actors.Configuration.Sections;

/// <summary>
/// Binds <c>r1.pipeline</c> to <see cref="PipelineSettings"/>, with <c>r1.run.seed</c> as the sampling seed (read,
/// not repeated). With <c>r1.run.deterministic</c> on, <see cref="DeterministicModeRules"/> must hold.
/// </summary>
public static class PipelineSettingsBinder
{
    private const string P = "r1.pipeline";

    public static PipelineSettings Bind(SettingsReader r)
    {
        var devices = r.StringList($"{P}.devices");
        var cluster = BindCluster(r);
        if ((devices.Count == 0 && cluster is null) || devices.Any(string.IsNullOrWhiteSpace))
            throw r.Fail($"{P}.devices", "expected at least one device name such as \"cpu\" or \"cuda:0\" (none is allowed only for a cluster's learner node, r1.cluster.enabled = true)");
        if (devices.Distinct(StringComparer.Ordinal).Count() != devices.Count)
            throw r.Fail($"{P}.devices", $"each device may be listed once, got [{string.Join(", ", devices)}]");
        var deterministic = DeterministicModeRules.Check(r, devices);
        if (deterministic && cluster is not null)
            throw r.Fail("r1.cluster.enabled", "r1.run.deterministic = true runs in one process: which node samples which prompt depends on timing");
        return new PipelineSettings(
            devices,
            r.Int($"{P}.group-size", min: 1, max: 4096),
            r.Int($"{P}.groups-per-step", min: 1),
            r.Int($"{P}.prompts-per-batch", min: 1),
            r.Duration($"{P}.batch-linger"),
            r.Int($"{P}.sampler-queue", min: 0, max: 64),
            r.Int($"{P}.max-staleness", min: 0, max: 1000),
            r.Int($"{P}.verifiers", min: 1, max: 1024),
            r.Int($"{P}.rollout-buffer", min: 0),
            r.Int($"{P}.group-buffer", min: 0),
            r.Long($"{P}.max-steps", min: 0),
            r.Int($"{P}.checkpoint-every", min: 0),
            r.Bool($"{P}.checkpoint-on-stop"),
            Positive(r, $"{P}.sample-timeout"),
            Positive(r, $"{P}.verify-timeout"),
            (ulong)r.Long("r1.run.seed", min: 0),
            new SupervisionSettings(
                r.Int($"{P}.supervision.sampler-max-restarts", min: 0),
                Positive(r, $"{P}.supervision.sampler-restart-window"),
                r.Int($"{P}.supervision.learner-max-faults", min: 1),
                Positive(r, $"{P}.supervision.learner-fault-window")))
        {
            Deterministic = deterministic,
            Cluster = cluster,
            WeightSwitch = r.OneOf($"{P}.weight-switch", "between-batches", "between-steps") == "between-steps"
                ? WeightSwitch.BetweenSteps
                : WeightSwitch.BetweenBatches,
        };
    }

    /// <summary><c>r1.cluster</c> when enabled, else null (one process); every key is read and checked either way.</summary>
    public static ClusterSettings? BindCluster(SettingsReader r)
    {
        const string C = "r1.cluster";
        var enabled = r.Bool($"{C}.enabled");
        var seeds = r.StringList($"{C}.seed-nodes");
        foreach (var seed in seeds)
        {
            var colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
                throw r.Fail($"{C}.seed-nodes", $"'{seed}' is not host:port (the learner node's r1.cluster.hostname and port, e.g. \"10.0.0.5:4053\")");
        }
        var settings = new ClusterSettings(
            r.String($"{C}.hostname", allowEmpty: false),
            r.Int($"{C}.port", min: 0, max: 65535),
            seeds,
            Positive(r, $"{C}.down-after"),
            Positive(r, $"{C}.heartbeat-pause"),
            r.String($"{C}.node-name"),
            r.Int($"{C}.transfer-chunk-kib", min: 4, max: ClusterConfig.MaxFrameBytes / 1024 / 2) * 1024,
            Positive(r, $"{C}.rejoin-after"),
            r.String($"{C}.cache")) { MaxVersionLag = r.Int($"{C}.max-version-lag", min: 0, max: 1000) };
        return enabled ? settings : null;
    }

    private static TimeSpan Positive(SettingsReader r, string key)
    {
        var value = r.Duration(key);
        return value > TimeSpan.Zero ? value : throw r.Fail(key, "expected a duration above 0, such as 500ms, 30s or 10m");
    }
}
