namespace R1Actors.Tests.Daemon;

/// <summary><c>r1.eval.every-steps</c> on the built daemon: held-out points while training goes on.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PeriodicEvaluationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-periodic-eval-").FullName;

    [Fact]
    public async Task Held_out_accuracy_is_measured_every_n_steps_on_the_weights_of_that_step()
    {
        using (var daemon = DaemonProcess.Train(_dir, ReferenceRun.Settings("r1.eval.every-steps=4", "r1.pipeline.max-steps=12", "r1.eval.after-training=true")))
            Assert.True(await daemon.ExitAsync(ReferenceRun.Timeout) == 0, daemon.Output);

        var evaluations = new RunFolder(_dir).Events().Where(e => RunFolder.Kind(e) == "Evaluation" && e.TryGetProperty("Label", out _)).ToArray();
        var during = evaluations.Where(e => e.GetProperty("Label").GetString() == "during training").ToArray();
        Assert.Equal([4L, 8L, 12L], during.Select(e => RunFolder.Long(e, "Step")));
        Assert.All(during, e => Assert.InRange(RunFolder.Number(e, "HeldOutAccuracy"), 0.0, 1.0));

        // A deterministic run: the step-12 point was taken on the weights of step 12, which the run ends with, so it
        // equals the after-training evaluation to the last bit.
        var after = Assert.Single(evaluations, e => e.GetProperty("Label").GetString() == "after training");
        Assert.Equal(12, RunFolder.Long(after, "Step"));
        Assert.Equal(RunFolder.Number(after, "HeldOutReward"), RunFolder.Number(during[^1], "HeldOutReward"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
