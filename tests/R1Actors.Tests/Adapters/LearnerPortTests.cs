using System.Text.Json;
using R1Actors.Adapters;
using R1Actors.Configuration;
using R1Actors.Pipeline.Contracts;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Training.Learning;
using static TorchSharp.torch;

namespace R1Actors.Tests.Adapters;

public sealed class LearnerPortTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-learner-port-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string BaseModel()
    {
        var folder = Path.Combine(_dir, "base");
        var config = new ModelConfig
        {
            Family = LlamaFamily.Instance, VocabSize = 16, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1,
            NumAttentionHeads = 2, NumKeyValueHeads = 1, HeadDim = 8, MaxPositionEmbeddings = 32,
        }.Validated("learner port test");
        using var model = ModelInitializer.CreateRandom(config, ScalarType.Float32, CPU, seed: 3);
        ModelFolder.Save(model, folder);
        return folder;
    }

    private static ScoredRollout Rollout(int sample, int[] completion, double score, bool answerRight, FinishReason finish = FinishReason.Stop)
    {
        var prompt = new IssuedPrompt(0, new PromptCursor(0, 0), new Prompt("p0", new TextPrompt("1+1"), new TaskSpec("math", new Dictionary<string, JsonElement>())));
        var rollout = new Rollout(prompt, sample, [1, 2, 3], completion, "", completion.Select(_ => -1.5f).ToArray(), 0, finish, "cpu");
        var outcome = new RewardOutcome(score, new Dictionary<string, double> { [RewardComponents.Answer] = answerRight ? 1 : 0 }, null);
        return new ScoredRollout(rollout, outcome, TimeSpan.Zero);
    }

    [Fact]
    public void A_step_updates_the_version_and_reports_metrics_and_a_checkpoint_carries_the_pipeline_progress()
    {
        var baseModel = BaseModel();
        var run = Path.Combine(_dir, "run");
        var (settings, _) = R1Settings.Load(null, ["r1.training.optimizer.lr=1e-3"]);
        var progress = new PipelineProgress(1, 1, new PromptCursor(0, 5), [new PromptCursor(0, 7)], 100, 11, 12);
        using (var session = LearnerSession.Open(settings.Training, baseModel, run, samplingTemperature: 1.0))
        {
            var port = new LearnerPort(session);
            var group = new ScoredGroup(Rollout(0, [4, 5], 0, false).Rollout.Prompt,
                [Rollout(0, [4, 5], 1.0, answerRight: true), Rollout(1, [6], 0.0, answerRight: false), Rollout(2, [7, 8, 9], 0.0, false, FinishReason.Length)]);
            var outcome = port.Step(new LearnerBatch(0, 0, [group]));
            Assert.Null(outcome.SkipReason);
            Assert.Equal(1, outcome.PolicyVersion);
            Assert.Equal(1.0 / 3, outcome.Metrics[MetricNames.Accuracy], 12);
            Assert.Equal(1.0 / 3, outcome.Metrics[MetricNames.CompletionsClippedRatio], 12);
            Assert.Equal(6, outcome.Metrics[MetricNames.NumTokens]);
            Assert.Throws<InvalidOperationException>(() => port.Step(new LearnerBatch(1, 0, [group])));
            port.Checkpoint(progress);
        }
        using var resumed = LearnerSession.Open(settings.Training, baseModel, run, samplingTemperature: 1.0);
        Assert.Equal(1, new LearnerPort(resumed).PolicyVersion);
        var restored = LearnerPort.ResumedProgress(resumed)!;
        Assert.Equal(progress.NextPrompt, restored.NextPrompt);
        Assert.Equal(progress.ConsumedAhead, restored.ConsumedAhead);
        Assert.Equal((progress.DataSeed, progress.RunSeed, progress.DatasetCount), (restored.DataSeed, restored.RunSeed, restored.DatasetCount));
    }
}
