using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary><c>r1.eval.every-steps</c> on the built daemon: held-out points while training goes on.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PeriodicEvaluationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-periodic-eval-").FullName;

    [Fact]
    public async Task Held_out_accuracy_is_measured_every_n_steps_on_the_weights_of_that_step()
    {
        var settings = ReferenceRun.Settings("r1.eval.every-steps=4", "r1.pipeline.max-steps=12", "r1.eval.after-training=true",
            "r1.pipeline.checkpoint-every=4", "r1.training.checkpoint.keep-last=3", "r1.eval.max-prompts=32", "r1.eval.samples=4");
        using (var daemon = DaemonProcess.Train(_dir, settings))
            Assert.True(await daemon.ExitAsync(ReferenceRun.Timeout) == 0, daemon.Output);

        var evaluations = new RunFolder(_dir).Events().Where(e => RunFolder.Kind(e) == "Evaluation" && e.TryGetProperty("Label", out _)).ToArray();
        var during = evaluations.Where(e => e.GetProperty("Label").GetString() == "during training").ToArray();
        Assert.Equal([4L, 8L], during.Select(e => RunFolder.Long(e, "Step")));       // step 12's weights are measured after training
        Assert.Equal([4L, 8L], during.Select(e => RunFolder.Long(e, "PolicyVersion")));  // the weights of that step, not later ones
        Assert.Equal(12, RunFolder.Long(Assert.Single(evaluations, e => e.GetProperty("Label").GetString() == "after training"), "Step"));

        // The step-8 point was taken on the weights of step 8, while training went on: `r1actors eval` of checkpoint-8
        // with the run's settings gives the same figure to the last bit.
        string[] arguments = ["eval", "--model", new RunFolder(_dir).Checkpoint(8), "--config", RepositoryPaths.File("hocon", "default.conf"),
            "--run-dir", Path.Combine(_dir, "eval"), .. settings.SelectMany(s => new[] { "--set", s })];
        var eval = BuiltExecutable.Run(RepositoryPaths.Root, ReferenceRun.Timeout, arguments);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var figures = JsonDocument.Parse(eval.LastLine);
        Assert.Equal(RunFolder.Number(during[1], "HeldOutReward"), figures.RootElement.GetProperty("reward_mean").GetDouble());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
