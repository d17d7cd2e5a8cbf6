using System.Text.Json;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;
using R1Actors.Training.Configuration;
using R1Actors.Training.Learning;
using R1Actors.Training.Optimization;
using R1Actors.Training.Tests.Support;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Learning;

public class LoraLearnerTests
{
    private static readonly LoraSettings Lora = new(4, 8, 0.0, LoraSettings.KnownModules, InitSeed: 3);

    private static TrainingSettings Settings(double klBeta, LoraSettings? lora, string dtype = "float32") => new(
        "cpu",
        dtype,
        new AlgorithmSettings("grpo", 1e-4, 0.2, 0.2, klBeta, 0.0, "token-mean", 64, "keep", 1.0, false, 0),
        new OptimizerSettings(1e-2, 0.9, 0.999, 1e-8, 0.0, 1.0, 8, 0),
        new ScheduleSettings("constant", 0, 0, 0.0),
        new CheckpointSettings("checkpoints", KeepLast: 2, VerifyHashes: true, MetricHistory: 100),
        lora);

    private static LearnerBatch Batch() =>
        Groups.Batch([Groups.Of([1, 2], [Groups.Completion([3, 4], 1.0), Groups.Completion([5], 0.0), Groups.Completion([6, 7, 8], 0.5)])]);

    private static Dictionary<string, Tensor> Copy(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> named)
    {
        using var noGrad = no_grad();
        return named.ToDictionary(p => p.Name, p => p.Parameter.detach().clone());
    }

    private static bool Equal(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> named, IReadOnlyDictionary<string, Tensor> copy) =>
        named.All(p => ModuleTensors.BitEqual(p.Parameter, copy[p.Name]));

    private static string SaveBase(TempFolder folder, ScalarType dtype = ScalarType.Float32)
    {
        var baseModel = Path.Combine(folder.Path, "base");
        using var initial = PolicyModels.Random(seed: 5, dtype: dtype);
        ModelFolder.Save(initial, baseModel);
        return baseModel;
    }

    [Fact]
    public void A_lora_step_moves_the_adapter_only_and_publishes_its_bytes_alone()
    {
        using var folder = new TempFolder();
        var baseModel = SaveBase(folder);
        using var session = LearnerSession.Open(Settings(0.0, Lora), baseModel, Path.Combine(folder.Path, "run"), 1.0);
        var policy = (CausalLanguageModel)session.Learner.Policy;
        var baseBefore = Copy(policy.named_parameters());
        var adapterBefore = Copy(policy.Adapter!.NamedParameters());
        Assert.Equal(2 * 7 * 2, session.Learner.Optimizer.ParameterCount);
        Assert.All(AdamWState.Tensors(session.Learner.Optimizer).Values, t => Assert.Equal(ScalarType.Float32, t.dtype));

        var result = session.Train(Batch());

        Assert.True(result.Applied, result.SkipReason);
        Assert.True(Equal(policy.named_parameters(), baseBefore), "the base is frozen");
        Assert.False(Equal(policy.Adapter.NamedParameters(), adapterBefore), "the adapter trained");
        using var lease = session.Learner.Weights.Acquire();
        Assert.True(lease.Snapshot.Weights.IsAdapter);
        // The adapter is published in bfloat16 (LoraSettings.PublishBfloat16 by default): half its float32 bytes.
        Assert.Equal(policy.Adapter.ByteSize / 2, (long)result.Metrics.Figures()[MetricNames.PublishedBytes]);
        Assert.Equal(lease.Snapshot.Weights.ByteSize, (long)result.Metrics.Figures()[MetricNames.PublishedBytes]);
        Assert.True(policy.Adapter.ByteSize * 2 < policy.parameters().Sum(p => SafetensorsWriter.ByteSize(p)));
    }

    [Fact]
    public void A_bfloat16_base_trains_a_float32_adapter_without_master_copies()
    {
        using var folder = new TempFolder();
        var baseModel = SaveBase(folder, ScalarType.BFloat16);
        using var session = LearnerSession.Open(Settings(0.0, Lora, "bfloat16"), baseModel, Path.Combine(folder.Path, "run"), 1.0);
        var policy = (CausalLanguageModel)session.Learner.Policy;
        Assert.All(policy.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.DoesNotContain(AdamWState.Tensors(session.Learner.Optimizer).Keys, k => k.StartsWith(AdamWState.MasterPrefix, StringComparison.Ordinal));
        Assert.True(session.Train(Batch()).Applied);
    }

    [Fact]
    public void The_kl_reference_of_a_lora_run_is_the_base_without_a_second_copy()
    {
        using var folder = new TempFolder();
        var baseModel = SaveBase(folder);
        using var session = LearnerSession.Open(Settings(0.05, Lora), baseModel, Path.Combine(folder.Path, "run"), 1.0);
        var first = session.Train(Batch());
        Assert.Equal(0.0, first.Metrics.KlReference!.Value, 12);       // step 0: base + fresh adapter = base exactly
        Assert.True(session.Train(Batch()).Metrics.KlReference > 0);     // then the adapter has moved away from it
    }

    [Fact]
    public void A_lora_checkpoint_holds_the_adapter_in_peft_layout_and_resumes_exactly()
    {
        using var folder = new TempFolder();
        var baseModel = SaveBase(folder);
        var run = Path.Combine(folder.Path, "run");
        Dictionary<string, Tensor> adapterAtTwo, momentsAtTwo, adapterAtThree;
        string checkpoint;
        using (var first = LearnerSession.Open(Settings(0.01, Lora with { Dropout = 0.1 }), baseModel, run, 1.0))
        {
            first.Train(Batch());
            first.Train(Batch());
            checkpoint = first.SaveCheckpoint(JsonDocument.Parse("""{"cursor": 2}""").RootElement).Path;
            var policy = (CausalLanguageModel)first.Learner.Policy;
            adapterAtTwo = Copy(policy.Adapter!.NamedParameters());
            momentsAtTwo = AdamWState.Tensors(first.Learner.Optimizer).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            first.Train(Batch());
            adapterAtThree = Copy(policy.Adapter.NamedParameters());
        }
        Assert.True(File.Exists(Path.Combine(checkpoint, AdapterFolder.ConfigFile)));
        Assert.True(File.Exists(Path.Combine(checkpoint, AdapterFolder.WeightsFile)));
        Assert.False(File.Exists(Path.Combine(checkpoint, "model.safetensors")));
        Assert.Equal(AdapterFolder.BaseName(baseModel), AdapterFolder.ReadConfig(checkpoint).BaseModel);

        using var second = LearnerSession.Open(Settings(0.01, Lora with { Dropout = 0.1 }), baseModel, run, 1.0);
        var resumed = (CausalLanguageModel)second.Learner.Policy;
        Assert.Equal(2, second.Resumed!.Step);
        Assert.True(Equal(resumed.Adapter!.NamedParameters(), adapterAtTwo));
        Assert.All(AdamWState.Tensors(second.Learner.Optimizer), kv => Assert.True(ModuleTensors.BitEqual(kv.Value, momentsAtTwo[kv.Key])));
        second.Train(Batch());
        Assert.True(Equal(resumed.Adapter.NamedParameters(), adapterAtThree), "step 3 after the resume is step 3 of the first run, dropout included");
    }

    [Fact]
    public void A_lora_checkpoint_does_not_resume_a_full_run_nor_one_of_another_rank()
    {
        using var folder = new TempFolder();
        var baseModel = SaveBase(folder);
        var run = Path.Combine(folder.Path, "run");
        using (var first = LearnerSession.Open(Settings(0.0, Lora), baseModel, run, 1.0))
        {
            first.Train(Batch());
            first.SaveCheckpoint(null);
        }
        var full = Assert.Throws<ModelFormatException>(() => LearnerSession.Open(Settings(0.0, null), baseModel, run, 1.0));
        Assert.Contains("r1.training.lora.enabled", full.Message);
        var rank = Assert.Throws<ModelFormatException>(() => LearnerSession.Open(Settings(0.0, Lora with { Rank = 8 }), baseModel, run, 1.0));
        Assert.Contains("adapter_config.json", rank.Message);
        Assert.Contains("rank = 8", rank.Message);
    }
}
