using System.Globalization;
using System.Runtime.InteropServices;

namespace R1Actors.Hosting;

/// <summary>
/// glibc's allocator keeps the memory libtorch frees (resident size grows by gigabytes over hundreds of
/// training steps even with every tensor disposed). Lowering the mmap threshold (<c>r1.torch.malloc-mmap-threshold</c>,
/// 128 KiB by default) makes large blocks go straight back to the kernel when freed. The process applies it itself
/// with <c>mallopt</c>, so that a daemon started without the Makefile's environment gets it too; glibc keeps the
/// threshold in one process-wide parameter, so it holds for every arena, including those made before the call
/// (<c>r1actors-bench memory --allocators glibc-mallopt glibc-env</c> compares it with
/// <c>MALLOC_MMAP_THRESHOLD_</c> set before start). Under another allocator (jemalloc by LD_PRELOAD, as the
/// Makefile sets where Debian's libjemalloc2 is installed) nothing is changed.
/// </summary>
public static partial class MallocTuning
{
    private const int MmapThresholdParameter = -3;     // M_MMAP_THRESHOLD in malloc.h
    public const string ThresholdVariable = "MALLOC_MMAP_THRESHOLD_";

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    /// <summary>Applies the mmap threshold (0: leave glibc's own); returns the allocator in effect, for the start-up log.</summary>
    public static string Configure(int mmapThreshold)
    {
        if (!OperatingSystem.IsLinux())
            return "the platform's allocator (not Linux)";
        if (ReplacementAllocator() is { } replacement)
            return $"{Path.GetFileName(replacement)} (preloaded; glibc malloc unused)";
        var environment = Environment.GetEnvironmentVariable(ThresholdVariable);
        var fromEnvironment = environment is null ? "" : $"; {ThresholdVariable}={environment} set before start";
        if (mmapThreshold == 0)
        {
            return environment is null
                ? "glibc malloc, glibc's dynamic mmap threshold"
                : $"glibc malloc, mmap threshold from the environment{fromEnvironment}";
        }
        try
        {
            return Mallopt(MmapThresholdParameter, mmapThreshold) == 1
                ? string.Create(CultureInfo.InvariantCulture, $"glibc malloc, mmap threshold {mmapThreshold} bytes set by mallopt at start-up{fromEnvironment}")
                : $"glibc malloc (mallopt refused an mmap threshold of {mmapThreshold} bytes){fromEnvironment}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "the C library's allocator (no glibc mallopt)";
        }
    }

    /// <summary>The path of a malloc replacement mapped into this process (jemalloc, tcmalloc, mimalloc), or null.</summary>
    public static string? ReplacementAllocator()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
                .FirstOrDefault(IsReplacementAllocator);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsReplacementAllocator(string mappedFile)
    {
        var name = Path.GetFileName(mappedFile);
        return name.StartsWith("libjemalloc", StringComparison.Ordinal)
            || name.StartsWith("libtcmalloc", StringComparison.Ordinal)
            || name.StartsWith("libmimalloc", StringComparison.Ordinal);
    }
}
