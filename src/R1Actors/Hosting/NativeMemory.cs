using System.Runtime.InteropServices;

namespace R1Actors.Hosting;

/// <summary>
/// glibc's allocator keeps the memory libtorch frees (resident size grows by gigabytes over hundreds of
/// training steps even with every tensor disposed). Lowering the mmap threshold to 128 KiB makes large
/// blocks go straight back to the kernel; it is what <c>MALLOC_MMAP_THRESHOLD_=131072</c> does, applied by
/// the process itself so that a daemon started without the Makefile stays flat too. Harmless under
/// jemalloc (LD_PRELOAD), which the Makefile also sets where Debian's libjemalloc2 is installed.
/// </summary>
public static partial class NativeMemory
{
    private const int MmapThreshold = -3;     // M_MMAP_THRESHOLD in malloc.h
    private const int ThresholdBytes = 128 * 1024;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    /// <summary>Applies the setting; returns a description for the start-up log.</summary>
    public static string Configure()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "allocator left as is (not Linux)";
        }
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        if (preload.Contains("jemalloc", StringComparison.Ordinal))
        {
            return "jemalloc (LD_PRELOAD)";
        }
        try
        {
            return Mallopt(MmapThreshold, ThresholdBytes) == 1
                ? $"glibc malloc, mmap threshold {ThresholdBytes} bytes"
                : "glibc malloc (mallopt refused the mmap threshold)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "allocator left as is (no glibc mallopt)";
        }
    }
}
