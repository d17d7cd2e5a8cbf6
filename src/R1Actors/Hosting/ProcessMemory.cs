using System.Globalization;

namespace R1Actors.Hosting;

/// <summary>
/// Resident memory of a process as Linux reports it in <c>/proc/PID/status</c>, in bytes. Anonymous memory is
/// what the allocators hold (heap, libtorch's tensors, the .NET heap); file-backed memory is mapped code and
/// data files, which the kernel may drop and reload.
/// </summary>
/// <param name="Resident">VmRSS: resident now.</param>
/// <param name="ResidentAnonymous">RssAnon.</param>
/// <param name="ResidentFile">RssFile.</param>
/// <param name="PeakResident">VmHWM: the most that was ever resident.</param>
public sealed record ProcessMemory(long Resident, long ResidentAnonymous, long ResidentFile, long PeakResident)
{
    /// <summary>This process's memory; null where there is no /proc (not Linux).</summary>
    public static ProcessMemory? OfThisProcess() => ReadStatus("/proc/self/status");

    /// <summary>A process's memory; null when it has exited or is exiting (a zombie has no VmRSS), or there is no /proc.</summary>
    public static ProcessMemory? OfProcess(int processId) => ReadStatus($"/proc/{processId}/status");

    /// <summary>
    /// Parses the text of a <c>/proc/PID/status</c> file ("VmRSS:\t  250332 kB" lines).
    /// A missing VmRSS is an error; RssAnon, RssFile and VmHWM (absent on old kernels) read as 0.
    /// </summary>
    public static ProcessMemory Parse(string status)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in status.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                continue;
            var fields = line[(colon + 1)..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[1] == "kB" && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                values[line[..colon]] = kib * 1024;
        }
        if (!values.TryGetValue("VmRSS", out var resident))
            throw new FormatException("no \"VmRSS: N kB\" line in the process status");
        return new ProcessMemory(resident, values.GetValueOrDefault("RssAnon"), values.GetValueOrDefault("RssFile"), values.GetValueOrDefault("VmHWM"));
    }

    private static ProcessMemory? ReadStatus(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
