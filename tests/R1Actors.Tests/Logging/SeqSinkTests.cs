using System.Text.Json;
using R1Actors.Configuration.Sections;
using R1Actors.Logging;
using Serilog.Events;

namespace R1Actors.Tests.Logging;

public sealed class SeqSinkTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("r1-seq-").FullName;
    private readonly FakeSeqServer _seq = new();

    public void Dispose()
    {
        _seq.Dispose();
        Directory.Delete(_runDir, recursive: true);
    }

    private LoggingSettings Settings() => new(
        LogEventLevel.Information, Console: false, "logs/r1actors-.clef", 10 * 1024 * 1024, 5,
        new SeqSettings(_seq.Url, null, "logs/seq-buffer", TimeSpan.FromMilliseconds(100), 64 * 1024 * 1024));

    private static List<JsonElement> WaitForSteps(FakeSeqServer seq, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var steps = seq.Events.Where(e => e.TryGetProperty("Step", out _)).ToList();
            if (steps.Count >= count)
            {
                return steps;
            }
            Thread.Sleep(100);
        }
        return seq.Events.Where(e => e.TryGetProperty("Step", out _)).ToList();
    }

    [Fact]
    public void Events_reach_seq_as_clef_with_their_properties()
    {
        _seq.Start();
        using (var log = LogSetup.Create(Settings(), _runDir, "seq-test"))
        {
            for (var step = 1; step <= 5; step++)
            {
                log.Information("Step {Step} reward {RewardMean} policy {PolicyVersion}", step, step / 10.0, step + 100L);
            }
            var steps = WaitForSteps(_seq, 5, TimeSpan.FromSeconds(30));
            Assert.Equal([1, 2, 3, 4, 5], steps.Select(e => e.GetProperty("Step").GetInt32()).Order());
            var third = steps.Single(e => e.GetProperty("Step").GetInt32() == 3);
            Assert.Equal(0.3, third.GetProperty("RewardMean").GetDouble(), 9);
            Assert.Equal(103, third.GetProperty("PolicyVersion").GetInt64());
            Assert.Equal("seq-test", third.GetProperty("Run").GetString());
            Assert.Equal("Step {Step} reward {RewardMean} policy {PolicyVersion}", third.GetProperty("@mt").GetString());
        }
        // The run folder's CLEF file holds the same events, whatever Seq does.
        var clef = Directory.GetFiles(Path.Combine(_runDir, "logs"), "r1actors-*.clef").Single();
        var lines = ReadShared(clef).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Count(l => l.Contains("\"Step\":", StringComparison.Ordinal)));
    }

    [Fact]
    public void No_event_is_lost_while_seq_is_down()
    {
        _seq.Start();
        using var log = LogSetup.Create(Settings(), _runDir, "seq-outage");
        for (var step = 1; step <= 10; step++)
        {
            log.Information("Step {Step}", step);
        }
        Assert.Equal(10, WaitForSteps(_seq, 10, TimeSpan.FromSeconds(30)).Count);

        _seq.Stop();
        for (var step = 11; step <= 40; step++)
        {
            log.Information("Step {Step}", step);
        }
        Assert.True(File.Exists(Directory.GetFiles(Path.Combine(_runDir, "logs"), "seq-buffer*").First()));
        Thread.Sleep(1500);   // at least one failed shipment while the server is down
        _seq.Start();

        var steps = WaitForSteps(_seq, 40, TimeSpan.FromSeconds(90));
        Assert.Equal(Enumerable.Range(1, 40), steps.Select(e => e.GetProperty("Step").GetInt32()).Distinct().Order());
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
