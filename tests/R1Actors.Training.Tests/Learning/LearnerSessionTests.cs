using System.Text.Json;
using R1Actors.Policy.Checkpoints;
using R1Actors.Training.Configuration;
using R1Actors.Training.Learning;
using R1Actors.Training.Tests.Support;

namespace R1Actors.Training.Tests.Learning;

public class LearnerSessionTests
{
    private static TrainingSettings Settings(double klBeta) => new(
        "cpu",
        "float32",
        new AlgorithmSettings("grpo", 1e-4, 0.2, 0.2, klBeta, 0.0, "token-mean", 64, "keep", 1.0, false, 0),
        new OptimizerSettings(1e-2, 0.9, 0.999, 1e-8, 0.0, 1.0, 8, 0),
        new ScheduleSettings("constant", 0, 0, 0.0),
        new CheckpointSettings("checkpoints", KeepLast: 2, VerifyHashes: true, MetricHistory: 100));

    private static LearnerBatch Batch() =>
        Groups.Batch([Groups.Of([1, 2], [Groups.Completion([3, 4], 1.0), Groups.Completion([5], 0.0), Groups.Completion([6, 7, 8], 0.5)])]);

    [Fact]
    public void A_fresh_run_starts_from_the_base_model_and_a_restart_resumes_from_the_newest_checkpoint()
    {
        using var folder = new TempFolder();
        var baseModel = Path.Combine(folder.Path, "base");
        var run = Path.Combine(folder.Path, "run");
        using (var initial = PolicyModels.Random(seed: 5))
            ModelFolder.Save(initial, baseModel);

        Dictionary<string, TorchSharp.torch.Tensor> atStepTwo;
        using (var first = LearnerSession.Open(Settings(klBeta: 0.01), baseModel, run, samplingTemperature: 1.0))
        {
            Assert.Null(first.Resumed);
            Assert.Equal(0, first.Learner.Weights.LatestVersion);
            first.Train(Batch());
            first.Train(Batch());
            Assert.Equal(2, first.SaveCheckpoint(JsonDocument.Parse("""{"cursor": 2}""").RootElement).Step);
            atStepTwo = ModuleTensors.Copy(first.Learner.Policy.Module);
            first.Train(Batch());
        }

        using var second = LearnerSession.Open(Settings(klBeta: 0.01), baseModel, run, samplingTemperature: 1.0);
        Assert.Equal(2, second.Resumed!.Step);
        Assert.Equal(2, second.Resumed.Pipeline!.Value.GetProperty("cursor").GetInt32());
        Assert.Equal((2L, 2L), (second.Learner.Step, second.Learner.Weights.LatestVersion));
        Assert.True(ModuleTensors.Equal(second.Learner.Policy.Module, atStepTwo));
        Assert.Equal(2, second.ResumedFrom!.Step);
        // The reference is the base model, not the resumed weights: the policy has moved away from it.
        Assert.True(second.Train(Batch()).Metrics.KlReference > 0);
    }
}
