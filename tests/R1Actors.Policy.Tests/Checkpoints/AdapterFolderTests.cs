using System.Text.Json.Nodes;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;
using R1Actors.Policy.Tests.Model.Lora;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Checkpoints;

public class AdapterFolderTests
{
    private static readonly LoraSettings Settings = new(4, 16, 0.05, ["q_proj", "v_proj", "down_proj"], InitSeed: 9, PublishBfloat16: false);

    private static Tensor Ids() => tensor(new long[] { 1, 5, 9, 3, 7, 2 }, [1, 6]);

    private static Tensor Mask() => ones(1, 6, ScalarType.Int64);

    [Fact]
    public void Saved_adapter_has_the_peft_layout()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        model.AttachAdapter(Settings, "Qwen/Qwen2.5-0.5B");
        model.SaveWeights(folder.Path);
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
        var config = JsonNode.Parse(File.ReadAllText(folder.File("adapter_config.json")))!.AsObject();
        Assert.Equal("LORA", config["peft_type"]!.GetValue<string>());
        Assert.Equal("CAUSAL_LM", config["task_type"]!.GetValue<string>());
        Assert.Equal(4, config["r"]!.GetValue<int>());
        Assert.Equal(16, config["lora_alpha"]!.GetValue<double>());
        Assert.Equal(0.05, config["lora_dropout"]!.GetValue<double>());
        Assert.Equal("Qwen/Qwen2.5-0.5B", config["base_model_name_or_path"]!.GetValue<string>());
        Assert.Equal(["q_proj", "v_proj", "down_proj"], config["target_modules"]!.AsArray().Select(t => t!.GetValue<string>()));
        using var file = SafetensorsFile.Open(folder.File("adapter_model.safetensors"));
        Assert.Equal(2 * 3 * 2, file.Entries.Count);
        var a = file.Entries["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"];
        var b = file.Entries["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"];
        Assert.Equal([4L, 32L], a.Shape);
        Assert.Equal([32L, 4L], b.Shape);
        Assert.Equal(ScalarType.Float32, a.Dtype);
        Assert.Equal([32L, 4L], file.Entries["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"].Shape);
    }

    [Fact]
    public void Base_plus_loaded_adapter_reproduces_the_trained_logits()
    {
        using var scope = NewDisposeScope();
        using var baseFolder = new TempFolder();
        using var adapterFolder = new TempFolder();
        using var trained = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        ModelFolder.Save(trained, baseFolder.Path);
        LoraAdapterTests.Perturb(trained.AttachAdapter(Settings, AdapterFolder.BaseName(baseFolder.Path)));
        trained.eval();
        var expected = trained.Forward(Ids(), Mask());
        trained.SaveWeights(adapterFolder.Path);
        using var loaded = AdapterFolder.LoadWithBase(adapterFolder.Path, baseFolder: null, CPU);
        loaded.eval();
        // How versions are published is the run's choice, not the adapter's: PEFT's config does not hold it.
        Assert.Equal(Settings, loaded.Adapter!.Settings with { TargetModules = Settings.TargetModules, PublishBfloat16 = Settings.PublishBfloat16 });
        Assert.True(LoraAdapterTests.Same(expected, loaded.Forward(Ids(), Mask())));
    }

    [Fact]
    public void Adapter_of_another_shape_is_refused_naming_the_file()
    {
        using var folder = new TempFolder();
        using (var wide = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance) with { IntermediateSize = 40 }))
        {
            wide.AttachAdapter(Settings);
            wide.SaveWeights(folder.Path);
        }
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var adapter = model.AttachAdapter(Settings);
        var error = Assert.Throws<ModelFormatException>(() => AdapterFolder.LoadInto(adapter, folder.Path));
        Assert.Contains("adapter_model.safetensors", error.Message);
        Assert.Contains("mlp.down_proj.lora_A.weight", error.Message);
    }

    [Fact]
    public void Adapter_trained_on_another_base_is_refused_naming_the_config()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        model.AttachAdapter(Settings, "/models/some-other-base");
        model.SaveWeights(folder.Path);
        var error = Assert.Throws<ModelFormatException>(() => AdapterFolder.CheckBase(folder.Path, "/models/the-configured-base"));
        Assert.Contains("adapter_config.json", error.Message);
        Assert.Contains("/models/some-other-base", error.Message);
    }

    [Fact]
    public void Adapter_snapshot_holds_only_the_adapter_and_fills_a_replica_with_one()
    {
        using var scope = NewDisposeScope();
        using var learner = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        using var replica = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        LoraAdapterTests.Perturb(learner.AttachAdapter(Settings));
        replica.AttachAdapter(Settings with { InitSeed = 1 });
        using var weights = learner.PublishedWeights();
        Assert.True(weights.IsAdapter);
        Assert.All(weights.Tensors.Keys, name => Assert.Contains(".lora_", name));
        Assert.Equal(learner.Adapter!.ByteSize, weights.ByteSize);
        weights.CopyInto(replica);
        learner.eval();
        replica.eval();
        Assert.True(LoraAdapterTests.Same(learner.Forward(Ids(), Mask()), replica.Forward(Ids(), Mask())));
        using var plain = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var error = Assert.Throws<ModelFormatException>(() => weights.CopyInto(plain));
        Assert.Contains("r1.training.lora", error.Message);
    }
}
