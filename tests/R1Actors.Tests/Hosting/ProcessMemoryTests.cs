using System.Diagnostics;
using R1Actors.Configuration;
using R1Actors.Hosting;

namespace R1Actors.Tests.Hosting;

public class ProcessMemoryTests
{
    private const string Status = """
        Name:	r1actors
        State:	S (sleeping)
        VmPeak:	 6263444 kB
        VmHWM:	  545320 kB
        VmRSS:	  521000 kB
        RssAnon:	  400100 kB
        RssFile:	  120800 kB
        RssShmem:	     100 kB
        Threads:	41
        """;

    [Fact]
    public void The_process_status_is_read_in_bytes()
    {
        var memory = ProcessMemory.Parse(Status);

        Assert.Equal(new ProcessMemory(521000L * 1024, 400100L * 1024, 120800L * 1024, 545320L * 1024), memory);
    }

    [Fact]
    public void A_status_without_a_resident_size_is_an_error()
    {
        var zombie = "Name:\tr1actors\nState:\tZ (zombie)\nThreads:\t1\n";

        var error = Assert.Throws<FormatException>(() => ProcessMemory.Parse(zombie));
        Assert.Contains("VmRSS", error.Message);
    }

    [Fact]
    public void This_process_reads_a_resident_size_no_larger_than_its_peak()
    {
        var memory = ProcessMemory.OfThisProcess();

        Assert.NotNull(memory);
        Assert.InRange(memory.Resident, 16L << 20, memory.PeakResident);   // a .NET process holds tens of MiB
        Assert.InRange(memory.ResidentAnonymous + memory.ResidentFile, memory.Resident / 2, memory.Resident);
    }

    [Fact]
    public void A_process_that_has_exited_reads_as_no_memory()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();   // and reaped: /proc/ID is gone
        var id = process.Id;

        Assert.Null(ProcessMemory.OfProcess(id));
    }

    [Fact]
    public void An_mmap_threshold_above_what_glibc_accepts_stops_start_up_naming_the_key()
    {
        var error = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.torch.malloc-mmap-threshold=67108864"]));

        Assert.Contains("r1.torch.malloc-mmap-threshold", error.Message);
    }
}
