namespace R1Actors.Configuration.Sections;

/// <summary><c>r1.run</c>: the run's identity and seed.</summary>
public sealed record RunSettings(string Name, long Seed, bool Deterministic)
{
    public static RunSettings Bind(SettingsReader r) => new(
        r.String("r1.run.name", allowEmpty: false),
        r.Long("r1.run.seed", min: 0),
        r.Bool("r1.run.deterministic"));
}

/// <summary><c>r1.torch</c>: libtorch's process-wide settings.</summary>
public sealed record TorchSettings(int Threads)
{
    public static TorchSettings Bind(SettingsReader r) => new(r.Int("r1.torch.threads", min: 0, max: 1024));

    /// <summary>The thread count to give libtorch: the configured one, or one per core.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
