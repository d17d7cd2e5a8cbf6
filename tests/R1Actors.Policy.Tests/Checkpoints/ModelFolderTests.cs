using System.Text.Json.Nodes;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Checkpoints;

public class ModelFolderTests
{
    private static Tensor SomeIds() => tensor(new long[] { 3, 5, 7, 11, 13, 17, 4, 9, 0, 0, 21, 22 }, [2, 6]);

    private static Tensor SomeMask() => tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1 }, [2, 6]);

    public static TheoryData<string, bool> Families => new()
    {
        { "qwen2", false }, { "qwen2", true }, { "qwen3", false }, { "llama", true },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Saved_folder_loads_back_with_identical_logits(string modelType, bool tied)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        using var original = TestModels.RandomEverywhere(TestModels.Tiny(ModelFamilies.ForModelType(modelType, "test"), tied));
        ModelFolder.Save(original, folder.Path);
        using var loaded = ModelFolder.Load(folder.Path, CPU);
        var expected = original.Forward(SomeIds(), SomeMask());
        var actual = loaded.Forward(SomeIds(), SomeMask());
        Assert.True(expected.eq(actual).all().item<bool>());
        Assert.Equal(tied, !loaded.named_parameters().Any(p => p.name == "lm_head.weight"));
    }

    [Fact]
    public void Sharded_save_writes_an_index_and_loads_back()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        using var original = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        ModelFolder.Save(original, folder.Path, maxShardBytes: 20_000);
        var shards = Directory.GetFiles(folder.Path, "model-*-of-*.safetensors");
        Assert.True(shards.Length > 1);
        Assert.False(File.Exists(folder.File("model.safetensors")));
        var index = JsonNode.Parse(File.ReadAllText(folder.File("model.safetensors.index.json")))!;
        Assert.Equal(original.named_parameters().Count(), index["weight_map"]!.AsObject().Count);
        using var loaded = ModelFolder.Load(folder.Path, CPU);
        Assert.True(original.Forward(SomeIds(), SomeMask()).eq(loaded.Forward(SomeIds(), SomeMask())).all().item<bool>());
    }

    [Fact]
    public void Saved_weights_use_hugging_face_names_shapes_and_dtype()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance), dtype: ScalarType.BFloat16);
        ModelFolder.Save(model, folder.Path);
        using var file = SafetensorsFile.Open(folder.File("model.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal([40, 32], file.Entries["model.embed_tokens.weight"].Shape);
        Assert.Equal([16], file.Entries["model.layers.1.self_attn.k_proj.bias"].Shape);
        Assert.Equal([32, 32], file.Entries["model.layers.0.self_attn.o_proj.weight"].Shape);
        Assert.False(file.Entries.ContainsKey("model.layers.0.self_attn.o_proj.bias"));
        Assert.Equal([48, 32], file.Entries["model.layers.0.mlp.gate_proj.weight"].Shape);
        Assert.Equal([32], file.Entries["model.norm.weight"].Shape);
        Assert.Equal([40, 32], file.Entries["lm_head.weight"].Shape);
        Assert.All(file.Entries.Values, e => Assert.Equal(ScalarType.BFloat16, e.Dtype));
        var config = JsonNode.Parse(File.ReadAllText(folder.File("config.json")))!;
        Assert.Equal("Qwen2ForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("bfloat16", config["torch_dtype"]!.GetValue<string>());
        Assert.Equal(2, config["num_key_value_heads"]!.GetValue<int>());
    }

    [Fact]
    public void Float32_checkpoint_loads_as_bfloat16_when_asked()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        using var original = TestModels.Random(TestModels.Tiny(LlamaFamily.Instance));
        ModelFolder.Save(original, folder.Path);
        using var loaded = ModelFolder.Load(folder.Path, CPU, ScalarType.BFloat16);
        var expected = original.Forward(SomeIds(), SomeMask());
        var actual = loaded.Forward(SomeIds(), SomeMask()).to(ScalarType.Float32);
        Assert.Equal(ScalarType.BFloat16, loaded.Dtype);
        Assert.True(actual.allclose(expected, rtol: 0.05, atol: 0.05));
    }

    [Fact]
    public void Unknown_config_keys_survive_a_load_and_save()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        ModelFolder.Save(model, first.Path);
        var json = JsonNode.Parse(File.ReadAllText(first.File("config.json")))!.AsObject();
        json["transformers_version"] = "4.51.0";
        File.WriteAllText(first.File("config.json"), json.ToJsonString());
        using var loaded = ModelFolder.Load(first.Path, CPU);
        ModelFolder.Save(loaded, second.Path);
        var rewritten = JsonNode.Parse(File.ReadAllText(second.File("config.json")))!;
        Assert.Equal("4.51.0", rewritten["transformers_version"]!.GetValue<string>());
    }
}
