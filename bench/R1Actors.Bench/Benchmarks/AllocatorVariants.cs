using System.Runtime.InteropServices;
using R1Actors.Hosting;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// How <c>r1actors-bench memory</c> sets up one child daemon's allocator: the environment it starts with and the
/// <c>r1.torch.malloc-mmap-threshold</c> it runs with. Every variant starts from the bench's own environment with
/// the allocator variables removed, so the variants differ only in what they set.
/// </summary>
public abstract class AllocatorVariant
{
    /// <summary>Debian's libjemalloc2, which build/setup.sh installs.</summary>
    public static readonly string JemallocPath = $"/usr/lib/{MultiarchTriplet()}/libjemalloc.so.2";

    /// <summary>The mmap threshold the Makefile exports and reference.conf sets.</summary>
    public const int MakefileMmapThreshold = 131072;

    private static readonly string[] AllocatorVariables = ["LD_PRELOAD", MallocTuning.ThresholdVariable, "GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"];

    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>Null when the variant can run here; otherwise why not (jemalloc not installed).</summary>
    public virtual string? Unavailable => null;

    /// <summary>Sets up the child's environment (already cleared of allocator variables) and adds <c>--set</c> overrides.</summary>
    protected abstract void Configure(IDictionary<string, string?> environment, ICollection<string> sets);

    public void Apply(IDictionary<string, string?> environment, ICollection<string> sets)
    {
        foreach (var variable in AllocatorVariables)
            environment.Remove(variable);
        Configure(environment, sets);
    }

    /// <summary>Every variant, in the order the bench runs them.</summary>
    public static IReadOnlyList<AllocatorVariant> Known { get; } =
        [new MakeRunAllocator(), new GlibcDefaultAllocator(), new GlibcMalloptAllocator(), new GlibcEnvironmentAllocator(), new JemallocAllocator()];

    /// <summary>
    /// What <c>--allocators all</c> runs: every distinct set-up. The jemalloc variant is left out because make-run is
    /// jemalloc where it is installed (jemalloc ignores MALLOC_MMAP_THRESHOLD_).
    /// </summary>
    public static IReadOnlyList<AllocatorVariant> Comparison { get; } = [.. Known.Where(v => v is not JemallocAllocator)];

    /// <summary>
    /// Parses <c>--allocators</c>: names from <see cref="Known"/> (space- or comma-separated), or <c>all</c> for
    /// <see cref="Comparison"/>.
    /// </summary>
    public static IReadOnlyList<AllocatorVariant> Parse(IReadOnlyList<string> arguments)
    {
        var names = arguments.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (names.Count == 0)
            throw new ArgumentException($"no allocator named; expected all or any of {string.Join(", ", Known.Select(v => v.Name))}");
        if (names.Contains("all"))
            return Comparison;
        var unknown = names.Where(n => Known.All(v => v.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"unknown allocator {string.Join(", ", unknown)}; expected all or any of {string.Join(", ", Known.Select(v => v.Name))}");
        }
        return [.. Known.Where(v => names.Contains(v.Name))];
    }

    protected static string ThresholdOff => "r1.torch.malloc-mmap-threshold=0";

    private static string MultiarchTriplet() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 => "aarch64-linux-gnu",
        _ => "x86_64-linux-gnu",
    };
}

/// <summary>
/// What <c>make run</c> does (the Makefile's RUNTIME_ENV): jemalloc preloaded where it is installed, and
/// MALLOC_MMAP_THRESHOLD_ exported for when it is not; the daemon's own mallopt as configured.
/// </summary>
public sealed class MakeRunAllocator : AllocatorVariant
{
    public override string Name => "make-run";

    public override string Description => "as `make run` starts the daemon: MALLOC_MMAP_THRESHOLD_ and, where installed, jemalloc preloaded";

    protected override void Configure(IDictionary<string, string?> environment, ICollection<string> sets)
    {
        environment[MallocTuning.ThresholdVariable] = MakefileMmapThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (File.Exists(JemallocPath))
            environment["LD_PRELOAD"] = JemallocPath;
    }
}

/// <summary>glibc's allocator untouched: no environment, no mallopt (glibc's dynamic mmap threshold).</summary>
public sealed class GlibcDefaultAllocator : AllocatorVariant
{
    public override string Name => "glibc";

    public override string Description => "glibc malloc as it comes: dynamic mmap threshold, no mallopt";

    protected override void Configure(IDictionary<string, string?> environment, ICollection<string> sets) => sets.Add(ThresholdOff);
}

/// <summary>A daemon started without the Makefile: glibc, with the mmap threshold it sets itself by mallopt.</summary>
public sealed class GlibcMalloptAllocator : AllocatorVariant
{
    public override string Name => "glibc-mallopt";

    public override string Description => "glibc malloc, mmap threshold set by the daemon's mallopt at start-up (r1.torch.malloc-mmap-threshold)";

    protected override void Configure(IDictionary<string, string?> environment, ICollection<string> sets)
    {
    }
}

/// <summary>glibc with MALLOC_MMAP_THRESHOLD_ set before start and no mallopt: what the mallopt variant is compared with.</summary>
public sealed class GlibcEnvironmentAllocator : AllocatorVariant
{
    public override string Name => "glibc-env";

    public override string Description => "glibc malloc, MALLOC_MMAP_THRESHOLD_ set before start, no mallopt";

    protected override void Configure(IDictionary<string, string?> environment, ICollection<string> sets)
    {
        environment[MallocTuning.ThresholdVariable] = MakefileMmapThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        sets.Add(ThresholdOff);
    }
}

/// <summary>jemalloc preloaded (Debian's libjemalloc2), nothing else.</summary>
public sealed class JemallocAllocator : AllocatorVariant
{
    public override string Name => "jemalloc";

    public override string Description => $"jemalloc by LD_PRELOAD={JemallocPath}";

    public override string? Unavailable => File.Exists(JemallocPath) ? null : $"{JemallocPath} is not installed (make setup installs libjemalloc2)";

    protected override void Configure(IDictionary<string, string?> environment, ICollection<string> sets) => environment["LD_PRELOAD"] = JemallocPath;
}
