using R1Actors.Configuration.Sections;
using R1Actors.Logging;
using R1Actors.Reporting;
using Serilog.Events;

namespace R1Actors.Tests.Reporting;

public sealed class RunReportTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("r1-report-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    private void WriteRunLog(int steps)
    {
        var settings = new LoggingSettings(LogEventLevel.Information, Console: false, "logs/r1actors-.clef", 1 << 20, 5, Seq: null);
        using var log = LogSetup.Create(settings, _runDir, "report-test");
        for (var step = 1; step <= steps; step++)
        {
            log.ForContext(EventKinds.Property, EventKinds.Step)
                .ForContext(MetricNames.Accuracy, step / 100.0)
                .ForContext(MetricNames.Kl, 0.001 * step)
                .ForContext(MetricNames.TokensPerSecond, 1000.0)
                .Information("Step {Step} reward {RewardMean}", step, step / 10.0);
        }
        log.ForContext(EventKinds.Property, EventKinds.Evaluation)
            .Information("Held-out accuracy {HeldOutAccuracy} at step {Step}", 0.5, steps);
        log.ForContext(EventKinds.Property, EventKinds.Checkpoint).Information("Checkpoint saved at step {Step}", steps);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
        return (BigEndian(bytes, 16), BigEndian(bytes, 20));
    }

    [Fact]
    public void Report_draws_a_chart_per_logged_metric_and_summarises_first_and_last_steps()
    {
        WriteRunLog(30);
        var files = RunReport.Write(_runDir, Path.Combine(_runDir, "report"));

        var names = files.Select(Path.GetFileName).ToHashSet();
        Assert.Contains("reward.png", names);
        Assert.Contains("accuracy.png", names);
        Assert.Contains("kl.png", names);
        Assert.Contains("throughput.png", names);
        Assert.DoesNotContain("entropy.png", names);          // no Entropy property was logged
        Assert.Equal((900, 450), PngSize(files.Single(f => f.EndsWith("reward.png", StringComparison.Ordinal))));

        var summary = File.ReadAllText(files.Single(f => f.EndsWith("summary.md", StringComparison.Ordinal)));
        Assert.Contains("Steps logged: 30 (first 1, last 30)", summary);
        // RewardMean = step/10: first ten steps average 0.55, last ten 2.55.
        Assert.Contains("| RewardMean | 0.55 | 2.55 | 0.1 | 3 |", summary);
        Assert.Contains("Checkpoints saved: 1", summary);
        Assert.Contains("HeldOutAccuracy 0.5", summary);
    }

    [Fact]
    public void A_log_line_cut_by_a_crash_is_counted_and_skipped()
    {
        WriteRunLog(3);
        var clef = Directory.GetFiles(Path.Combine(_runDir, "logs"), "*.clef").Single();
        File.AppendAllText(clef, "{\"@t\":\"2026-01-01T00:00:00Z\",\"@mt\":\"Step {St");
        var log = ClefRunLog.Read(_runDir);
        Assert.Equal(3, log.Steps.Count);
        Assert.Equal(1, log.MalformedLines);
    }

    [Fact]
    public void A_run_folder_without_a_log_is_a_clear_error()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ClefRunLog.Read(_runDir));
        Assert.Contains("no CLEF log", e.Message);
    }
}
