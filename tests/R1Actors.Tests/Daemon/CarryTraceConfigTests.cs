using R1Actors.Configuration;
using R1Actors.Reporting;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// hocon/tiny-carry-trace.conf with its shipped base (models/tiny-carry): the built <c>r1actors train</c> runs three
/// steps of it, the base writes carry traces, and the learner trains them packed.
/// </summary>
public sealed class CarryTraceConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-carry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_carry_trace_config_trains_its_shipped_base_on_packed_traces()
    {
        var config = RepositoryPaths.File("hocon", "tiny-carry-trace.conf");
        var (settings, _) = R1Settings.Load(config, []);
        Assert.True(settings.Training.Optimizer.PackedSequences);
        Assert.Equal(4, settings.Data.Arithmetic.MaxOperands);
        var runDir = Path.Combine(_dir, "run");
        string[] sets =
        [
            $"r1.model.path=\"{RepositoryPaths.File("models", "tiny-carry")}\"", "r1.pipeline.max-steps=3", "r1.data.held-out-count=16",
            "r1.pipeline.groups-per-step=8", "r1.run.rollout-log-every=1", "r1.run.max-duration=0",
        ];
        var run = BuiltExecutable.Run(AppContext.BaseDirectory, TimeSpan.FromMinutes(3),
            ["train", "--config", config, "--run-dir", runDir, .. sets.SelectMany(s => new[] { "--set", s })]);
        Assert.True(run.ExitCode == 0, $"r1actors train exited with {run.ExitCode}\n{run.Stdout}{run.Stderr}");

        var log = ClefRunLog.Read(runDir);
        Assert.Equal(3, log.Steps.Count);
        Assert.All(log.Steps, s => Assert.Equal(0.0, s.Value["PaddingFraction"]));
        Assert.All(log.Steps, s => Assert.True(s.Value["CompletionLengthMean"] > 8, $"step {s.Key}: mean length {s.Value["CompletionLengthMean"]}, not traces"));
        // The pretrained base works sums out column by column before its answer.
        var completions = new RunFolder(runDir).Events()
            .Where(e => e.TryGetProperty("EventKind", out var k) && k.GetString() == "Rollout")
            .Select(e => e.GetProperty("Completion").GetString()!).ToArray();
        Assert.NotEmpty(completions);
        Assert.Contains(completions, c => c.Contains('=', StringComparison.Ordinal) && c.Contains(',', StringComparison.Ordinal) && c.Contains('>', StringComparison.Ordinal));
    }
}
