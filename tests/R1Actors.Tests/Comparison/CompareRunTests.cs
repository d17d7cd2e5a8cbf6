using System.Text.Json;
using R1Actors.Tests.Daemon;

namespace R1Actors.Tests.Comparison;

/// <summary>
/// The built <c>r1actors compare</c> with every arm on a budget of a few steps: SIGKILLed once it has measured a few
/// points, run again with the same command, it finishes every arm without measuring any point twice and writes the
/// report; a different command on the same folder is refused.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class CompareRunTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-compare-").FullName;
    private readonly List<DaemonProcess> _processes = [];

    private static readonly string[] Sets =
    [
        "r1.pipeline.group-size=4", "r1.pipeline.groups-per-step=6", "r1.pipeline.prompts-per-batch=6", "r1.pipeline.verifiers=1",
        "r1.pipeline.checkpoint-every=2", "r1.compare.points=2", "r1.compare.eval-samples=8", "r1.eval.max-prompts=24",
        "r1.compare.cold-start-traces=32", "r1.training.rft.epochs=2", "r1.training.sft.batch-size=16", "r1.logging.console=false",
    ];

    [Fact]
    public async Task A_killed_comparison_resumes_measures_each_point_once_and_writes_the_report()
    {
        var points = Path.Combine(_dir, "points.jsonl");
        var first = Start("samples=192");
        await RunFolder.KillWhenAsync(() => File.Exists(points) && File.ReadAllLines(points).Length >= 4, first, Timeout, "four held-out points");

        var second = Start("samples=192");
        Assert.True(await second.ExitAsync(Timeout) == 0, second.Output);

        var measured = File.ReadAllLines(points).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(p => (Arm: p.GetProperty("arm").GetString()!, Segment: p.GetProperty("segment").GetInt32(), Samples: p.GetProperty("samples").GetInt64())).ToArray();
        Assert.Equal(measured.Distinct().Count(), measured.Length);
        (string, int)[] expected =
            [("base", 0), ("grpo", 1), ("grpo", 2), ("rft-online", 1), ("rft-online", 2), ("rft-offline", 0), ("rft-offline", 1), ("rft-offline", 2), ("sft+grpo", 0), ("sft+grpo", 1), ("sft+grpo", 2)];
        Assert.Equal(expected.Order(), measured.Select(p => (p.Arm, p.Segment)).Order());
        // RL arms: 4 then 8 steps of 6 x 4 samples; offline rft: one pass of 48 prompts x 4 before its first epoch
        Assert.All(measured.Where(p => p.Segment > 0), p => Assert.Equal(p.Segment == 2 || p.Arm == "rft-offline" ? 192 : 96, p.Samples));
        Assert.Equal(0, measured.Single(p => p.Arm == "sft+grpo" && p.Segment == 0).Samples);                      // the cold start samples nothing

        var report = Path.Combine(_dir, "report");
        foreach (var file in new[] { "report.md", "accuracy-vs-samples.png", "accuracy-vs-time.png", "pass-at-k.png" })
            Assert.True(new FileInfo(Path.Combine(report, file)).Length > 0, file);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(report, "pass-at-k.png"))[..4]);
        var json = JsonDocument.Parse(second.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal(["grpo", "rft-online", "rft-offline", "sft+grpo"], json.GetProperty("arms").EnumerateObject().Select(a => a.Name));
        Assert.InRange(json.GetProperty("arms").GetProperty("grpo").GetProperty("pass@8").GetDouble(), 0, 1);
        Assert.Contains("What these points say", File.ReadAllText(Path.Combine(report, "report.md")));

        var other = Start("samples=384");
        Assert.Equal(2, await other.ExitAsync(Timeout));
        Assert.Contains("holds another comparison", other.Output);
    }

    private DaemonProcess Start(string budget)
    {
        var process = DaemonProcess.Start("compare", _dir, Sets, "--budget", budget);
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
