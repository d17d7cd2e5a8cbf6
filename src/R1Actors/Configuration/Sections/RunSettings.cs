namespace R1Actors.Configuration.Sections;

/// <summary><c>r1.run</c>: the run's identity, seed and time budget.</summary>
public sealed record RunSettings(string Name, long Seed, bool Deterministic, TimeSpan MaxDuration, TimeSpan ShutdownTimeout, int RolloutLogEvery)
{
    public static RunSettings Bind(SettingsReader r) => new(
        r.String("r1.run.name", allowEmpty: false),
        r.Long("r1.run.seed", min: 0),
        r.Bool("r1.run.deterministic"),
        r.Duration("r1.run.max-duration"),
        r.Duration("r1.run.shutdown-timeout"),
        r.Int("r1.run.rollout-log-every", min: 0));
}

/// <summary><c>r1.torch</c>: libtorch's process-wide settings, and the allocator setting its memory pattern needs.</summary>
public sealed record TorchSettings(int Threads, int MallocMmapThreshold)
{
    /// <summary>glibc refuses an mmap threshold above 32 MiB (HEAP_MAX_SIZE / 2 on 64-bit).</summary>
    public const int MaxMmapThreshold = 32 * 1024 * 1024;

    public static TorchSettings Bind(SettingsReader r) => new(
        r.Int("r1.torch.threads", min: 0, max: 1024),
        r.Int("r1.torch.malloc-mmap-threshold", min: 0, max: MaxMmapThreshold));

    /// <summary>The thread count to give libtorch: the configured one, or one per core.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
