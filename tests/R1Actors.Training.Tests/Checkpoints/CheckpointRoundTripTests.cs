using System.Text.Json;
using R1Actors.Policy.Checkpoints;
using R1Actors.Training.Checkpoints;
using R1Actors.Training.Learning;
using R1Actors.Training.Optimization;
using R1Actors.Training.Tests.Support;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Checkpoints;

public class CheckpointRoundTripTests
{
    private static LearnerSettings LearnerSettings() =>
        Settings.Learner(learningRate: 1e-2, optimizer: new AdamWSettings(WeightDecay: 0.01, MaxGradNorm: 1.0));

    /// <summary>Fixed batches (behaviour log-probs taken once from a reference model) so both runs see the same data.</summary>
    private static LearnerBatch[] Batches()
    {
        using var source = PolicyModels.Random(seed: 11);
        return Enumerable.Range(0, 3).Select(i => Groups.Batch([
            Groups.OnPolicy(source, [1, 3 + i], ([4, 5, 6], 1.0), ([7], 0.0), ([8, 9], 0.5)),
            Groups.OnPolicy(source, [5], ([10 + i, 2], 0.0), ([12, 13, 14, 2], 1.0)),
        ])).ToArray();
    }

    private static Dictionary<string, Tensor> CopyMoments(AdamWOptimizer optimizer) =>
        AdamWState.Tensors(optimizer).ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private static void AssertBitEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(ModuleTensors.BitEqual(tensor, actual[name]), $"{what} '{name}' differs");
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Resuming_restores_every_tensor_and_moment_bit_for_bit_and_the_next_step_matches(ScalarType dtype)
    {
        using var folder = new TempFolder();
        var batches = Batches();
        var store = new CheckpointStore(folder.Path, keepLast: 3);

        using var model = PolicyModels.Random(seed: 3, dtype: dtype);
        using var learner = new Learner(model, LearnerSettings());
        learner.Train(batches[0]);
        learner.Train(batches[1]);
        var pipeline = JsonDocument.Parse("""{"cursor": 17, "epoch": 1}""").RootElement;
        store.Save(learner, pipeline);
        var savedWeights = ModuleTensors.Copy(model);
        var savedMoments = CopyMoments(learner.Optimizer);
        var drawAfterSave = rand(4);
        var continued = learner.Train(batches[2]);

        var checkpoint = store.Latest()!;
        using var resumedModel = ModelFolder.Load(checkpoint.Path, CPU, dtype);
        using var resumed = new Learner(resumedModel, LearnerSettings());
        var state = store.Restore(resumed, checkpoint);

        AssertBitEqual(savedWeights, ModuleTensors.Copy(resumedModel), "weight");
        AssertBitEqual(savedMoments, CopyMoments(resumed.Optimizer), "optimizer tensor");
        Assert.True(ModuleTensors.BitEqual(drawAfterSave, rand(4)), "torch's generator was not restored");
        Assert.Equal((2, 2, 2), (resumed.Step, resumed.PolicyVersion, resumed.Optimizer.StepsApplied));
        Assert.Equal(learner.TotalTokensTrained - continued.Metrics.TokensTrained, resumed.TotalTokensTrained);
        Assert.Equal(17, state.Pipeline!.Value.GetProperty("cursor").GetInt32());
        Assert.Equal(2, resumed.History.Entries.Count);

        var again = resumed.Train(batches[2]);
        Assert.Equal(continued.Metrics.Loss, again.Metrics.Loss);
        Assert.Equal(continued.Metrics.GradNorm, again.Metrics.GradNorm);
        AssertBitEqual(ModuleTensors.Copy(model), ModuleTensors.Copy(resumedModel), "weight after the next step");
        AssertBitEqual(CopyMoments(learner.Optimizer), CopyMoments(resumed.Optimizer), "optimizer tensor after the next step");
    }

    [Fact]
    public void A_checkpoint_is_a_model_folder_with_optimizer_rng_trainer_state_and_a_manifest()
    {
        using var folder = new TempFolder();
        using var model = PolicyModels.Random();
        using var learner = new Learner(model, LearnerSettings());
        learner.Train(Batches()[0]);
        var checkpoint = new CheckpointStore(folder.Path, keepLast: 1).Save(learner);

        Assert.Equal(Path.Combine(folder.Path, "checkpoint-1"), checkpoint.Path);
        Assert.Equal(
            ["config.json", "manifest.json", "model.safetensors", "optimizer.json", "optimizer.safetensors", "rng_state.json", "trainer_state.json"],
            Directory.EnumerateFiles(checkpoint.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var trainerState = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkpoint.Path, "trainer_state.json")));
        Assert.Equal(1, trainerState.RootElement.GetProperty("policy_version").GetInt64());
        var history = trainerState.RootElement.GetProperty("metric_history")[0];
        Assert.True(history.TryGetProperty(MetricNames.RewardStd, out _));
        Assert.True(history.TryGetProperty(MetricNames.CompletionsClippedRatio, out _));
    }

    [Fact]
    public void A_checkpoint_carries_the_base_models_tokenizer_files_and_its_manifest_covers_them()
    {
        using var folder = new TempFolder();
        var baseModel = Directory.CreateDirectory(Path.Combine(folder.Path, "base")).FullName;
        File.WriteAllText(Path.Combine(baseModel, "tokenizer.json"), """{"model": {}}""");
        File.WriteAllText(Path.Combine(baseModel, "generation_config.json"), """{"eos_token_id": 2}""");
        File.WriteAllText(Path.Combine(baseModel, "README.md"), "not a companion file");
        using var model = PolicyModels.Random();
        using var learner = new Learner(model, LearnerSettings());
        var store = new CheckpointStore(Path.Combine(folder.Path, "checkpoints"), keepLast: 1) { CompanionFiles = ModelFolder.CompanionFiles(baseModel) };

        var checkpoint = store.Save(learner);

        Assert.Equal("""{"model": {}}""", File.ReadAllText(Path.Combine(checkpoint.Path, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(checkpoint.Path, "generation_config.json")));
        Assert.False(File.Exists(Path.Combine(checkpoint.Path, "README.md")));
        File.WriteAllText(Path.Combine(checkpoint.Path, "tokenizer.json"), """{"model": {"changed": 1}}""");
        Assert.Null(store.Latest());                          // the manifest hashes the tokenizer like every other file
    }

    [Fact]
    public void A_checkpoint_holds_the_weights_the_policy_model_writes_whatever_its_class()
    {
        using var folder = new TempFolder();
        using var model = new TinyDecoder();
        using var learner = new Learner(model, LearnerSettings());
        var store = new CheckpointStore(folder.Path, keepLast: 1);
        var checkpoint = store.Save(learner);
        Assert.True(File.Exists(Path.Combine(checkpoint.Path, "model.safetensors")));
        Assert.False(File.Exists(Path.Combine(checkpoint.Path, "config.json")));     // the test model has no Hugging Face layout
        Assert.Equal(checkpoint, store.Latest());                                      // complete: the manifest covers what it wrote
    }
}
