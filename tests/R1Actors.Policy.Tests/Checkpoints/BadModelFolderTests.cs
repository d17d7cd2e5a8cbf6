using System.Text.Json.Nodes;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Checkpoints;

// Every broken folder must stop loading with a ModelFormatException naming what was wrong and where,
// never a libtorch crash and never a model with some weights left random.
public class BadModelFolderTests
{
    private static TempFolder SavedTinyModel(bool tied = false)
    {
        var folder = new TempFolder();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance, tied));
        ModelFolder.Save(model, folder.Path);
        return folder;
    }

    private static void RewriteWeights(TempFolder folder, Func<List<(string Name, Tensor Tensor)>, List<(string Name, Tensor Tensor)>> change)
    {
        using var scope = NewDisposeScope();
        List<(string, Tensor)> tensors;
        using (var file = SafetensorsFile.Open(folder.File("model.safetensors")))
            tensors = [.. file.Entries.Keys.Order().Select(name => (name, file.Read(name)))];
        SafetensorsWriter.Write(folder.File("model.safetensors"), change(tensors));
    }

    private static void EditConfig(TempFolder folder, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(folder.File("config.json")))!.AsObject();
        edit(json);
        File.WriteAllText(folder.File("config.json"), json.ToJsonString());
    }

    [Fact]
    public void Missing_tensor_is_named()
    {
        using var folder = SavedTinyModel();
        RewriteWeights(folder, ts => [.. ts.Where(t => t.Name != "model.layers.1.mlp.up_proj.weight")]);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", error.Message);
        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void Wrong_shape_names_tensor_file_and_both_shapes()
    {
        using var folder = SavedTinyModel();
        RewriteWeights(folder, ts => [.. ts.Select(t => t.Name == "model.norm.weight" ? (t.Name, ones(31)) : t)]);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("'model.norm.weight'", error.Message);
        Assert.Contains("[31]", error.Message);
        Assert.Contains("[32]", error.Message);
        Assert.Contains("model.safetensors", error.Message);
    }

    [Fact]
    public void Unexpected_tensor_is_rejected()
    {
        using var folder = SavedTinyModel();
        RewriteWeights(folder, ts => [.. ts, ("model.layers.0.self_attn.extra.weight", ones(3))]);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("unexpected tensor 'model.layers.0.self_attn.extra.weight'", error.Message);
    }

    [Fact]
    public void Untied_config_without_lm_head_is_rejected_not_randomly_initialised()
    {
        using var folder = SavedTinyModel(tied: true);
        EditConfig(folder, json => json["tie_word_embeddings"] = false);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("missing tensor 'lm_head.weight'", error.Message);
    }

    [Fact]
    public void Unknown_model_type_names_the_key_and_the_file()
    {
        using var folder = SavedTinyModel();
        EditConfig(folder, json => json["model_type"] = "mixtral");
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("model_type 'mixtral'", error.Message);
        Assert.Contains("config.json", error.Message);
    }

    [Theory]
    [InlineData("hidden_size", "\"wide\"", "must be an integer")]
    [InlineData("num_key_value_heads", "3", "divisor of num_attention_heads")]
    [InlineData("hidden_act", "\"gelu\"", "hidden_act")]
    [InlineData("use_sliding_window", "true", "use_sliding_window")]
    [InlineData("torch_dtype", "\"float8\"", "torch_dtype")]
    public void Bad_config_value_names_the_key(string key, string json, string expected)
    {
        using var folder = SavedTinyModel();
        EditConfig(folder, obj => obj[key] = JsonNode.Parse(json));
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains(expected, error.Message);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Missing_config_key_is_named()
    {
        using var folder = SavedTinyModel();
        EditConfig(folder, json => json.Remove("intermediate_size"));
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("missing key 'intermediate_size'", error.Message);
    }

    [Fact]
    public void Truncated_safetensors_file_names_the_file_and_the_cut_tensor()
    {
        using var folder = SavedTinyModel();
        var path = folder.File("model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("truncated", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Contains("tensor '", error.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(20)]
    public void File_cut_inside_the_header_is_reported_as_truncated(int keep)
    {
        using var folder = SavedTinyModel();
        var path = folder.File("model.safetensors");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..keep]);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("truncated", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Folder_without_weights_says_which_files_it_looked_for()
    {
        using var folder = SavedTinyModel();
        File.Delete(folder.File("model.safetensors"));
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains("model.safetensors.index.json", error.Message);
    }

    [Fact]
    public void Index_pointing_at_a_missing_shard_names_it()
    {
        using var folder = new TempFolder();
        using (var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance)))
            ModelFolder.Save(model, folder.Path, maxShardBytes: 20_000);
        var shard = Directory.GetFiles(folder.Path, "model-*-of-*.safetensors").Order().Last();
        File.Delete(shard);
        var error = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(folder.Path, CPU));
        Assert.Contains(Path.GetFileName(shard), error.Message);
    }

    [Fact]
    public void Model_without_loaded_weights_refuses_to_run()
    {
        using var model = CausalLanguageModel.CreateEmpty(TestModels.Tiny(Qwen2Family.Instance), ScalarType.Float32, CPU);
        var error = Assert.Throws<InvalidOperationException>(() => model.Forward(ones(1, 3, dtype: ScalarType.Int64), ones(1, 3)));
        Assert.Contains("weights", error.Message);
    }
}
