using Akka.Configuration;

namespace R1Actors.Pipeline.Settings;

/// <summary>When crashed actors are restarted and when the run gives up (<c>r1.pipeline.supervision</c>).</summary>
public sealed record SupervisionSettings(
    int SamplerMaxRestarts,
    TimeSpan SamplerRestartWindow,
    int LearnerMaxFaults,
    TimeSpan LearnerFaultWindow);

/// <summary>The shape and limits of the actor pipeline (<c>r1.pipeline</c> in reference.conf).</summary>
public sealed record PipelineSettings(
    IReadOnlyList<string> Devices,
    int GroupSize,
    int GroupsPerStep,
    int PromptsPerBatch,
    TimeSpan BatchLinger,
    int SamplerQueue,
    int MaxStaleness,
    int Verifiers,
    int RolloutBuffer,
    int GroupBuffer,
    long MaxSteps,
    int CheckpointEvery,
    bool CheckpointOnStop,
    TimeSpan SampleTimeout,
    TimeSpan VerifyTimeout,
    ulong Seed,
    string Dispatcher,
    SupervisionSettings Supervision)
{
    /// <summary>Where the pinned dispatcher's block lives; actors that own torch state or block run on it.</summary>
    public const string DispatcherPath = "r1.pipeline.pinned-dispatcher";

    /// <summary>
    /// Prompts allowed between admission and the end of the learner step that uses them: (k + 1) · B. With
    /// prompts consumed in order this is exactly what keeps every rollout within k versions of the learner.
    /// </summary>
    public int InFlightPrompts => (MaxStaleness + 1) * GroupsPerStep;

    /// <summary>Rollouts buffered between samplers and verifiers (0 in config: all the in-flight prompts' rollouts).</summary>
    public int EffectiveRolloutBuffer => RolloutBuffer > 0 ? RolloutBuffer : InFlightPrompts * GroupSize;

    /// <summary>Complete groups buffered in front of the learner (0 in config: the in-flight prompts).</summary>
    public int EffectiveGroupBuffer => GroupBuffer > 0 ? GroupBuffer : InFlightPrompts;

    public static PipelineSettings Create(Config root)
    {
        var r = new ConfigReader(root, "r1.pipeline");
        var devices = r.StringList("devices");
        if (devices.Count == 0)
            throw new SettingsException(r.Key("devices"), "expected at least one device such as cpu or cuda:0");
        if (devices.Distinct(StringComparer.Ordinal).Count() != devices.Count)
            throw new SettingsException(r.Key("devices"), $"each device may be listed once, got [{string.Join(", ", devices)}]");
        var settings = new PipelineSettings(
            devices,
            r.Int("group-size", 1, 4096),
            r.Int("groups-per-step", 1),
            r.Int("prompts-per-batch", 1),
            r.Duration("batch-linger", TimeSpan.Zero),
            r.Int("sampler-queue", 0, 64),
            r.Int("max-staleness", 0, 1000),
            r.Int("verifiers", 1, 1024),
            r.Int("rollout-buffer", 0),
            r.Int("group-buffer", 0),
            r.Long("max-steps", 0),
            r.Int("checkpoint-every", 0),
            r.Bool("checkpoint-on-stop"),
            r.Duration("sample-timeout", TimeSpan.FromMilliseconds(1)),
            r.Duration("verify-timeout", TimeSpan.FromMilliseconds(1)),
            r.Seed("seed"),
            DispatcherPath,
            ReadSupervision(r.Section("supervision")));
        r.Accept("pinned-dispatcher");
        r.RejectUnknownKeys();
        return settings;
    }

    private static SupervisionSettings ReadSupervision(ConfigReader r)
    {
        var settings = new SupervisionSettings(
            r.Int("sampler-max-restarts", 0),
            r.Duration("sampler-restart-window", TimeSpan.FromSeconds(1)),
            r.Int("learner-max-faults", 1),
            r.Duration("learner-fault-window", TimeSpan.FromSeconds(1)));
        r.RejectUnknownKeys();
        return settings;
    }
}
