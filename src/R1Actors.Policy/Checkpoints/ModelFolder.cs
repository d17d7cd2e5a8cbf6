using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>
/// Hugging Face model folders in and out: <c>config.json</c> plus <c>model.safetensors</c>, or shards
/// <c>model-0000i-of-0000n.safetensors</c> with <c>model.safetensors.index.json</c>, with Hugging Face
/// parameter names — a folder written here loads in transformers' <c>AutoModelForCausalLM</c> as it is.
/// Loading checks every tensor's presence and shape before copying any (see <see cref="WeightMatching"/>).
/// </summary>
public static class ModelFolder
{
    public const string ConfigFile = "config.json";

    /// <summary>The default shard limit, as transformers' <c>max_shard_size="5GB"</c>.</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>
    /// Files of a model folder that are not weights or config but belong with them: the tokenizer (Hugging Face's
    /// or R1Actors' character one) and the generation defaults. A folder made from this one should carry them.
    /// </summary>
    public static readonly IReadOnlyList<string> CompanionFileNames =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
        "added_tokens.json", "generation_config.json", Tokenization.CharTokenizer.FileName,
    ];

    /// <summary>The <see cref="CompanionFileNames"/> present in <paramref name="folder"/>, as full paths.</summary>
    public static IReadOnlyList<string> CompanionFiles(string folder) =>
        [.. CompanionFileNames.Select(name => Path.Combine(folder, name)).Where(File.Exists)];

    public static ModelConfig ReadConfig(string folder) => ModelConfigJson.ReadFile(Path.Combine(folder, ConfigFile));

    /// <summary>Loads the folder onto <paramref name="device"/> in <paramref name="dtype"/> (default: the config's torch_dtype).</summary>
    public static CausalLanguageModel Load(string folder, Device device, ScalarType? dtype = null)
    {
        var config = ReadConfig(folder);
        using var files = WeightFiles.Open(folder);
        var model = CausalLanguageModel.CreateEmpty(config, dtype ?? config.TorchDtype, device);
        try
        {
            WeightMatching.Check(model, files.Entries.ToDictionary(e => e.Name, e => e.Shape), files.FileOf, folder);
            using var noGrad = no_grad();
            foreach (var (name, parameter) in model.named_parameters())
            {
                using var stored = files.Read(name);
                parameter.copy_(stored);
            }
            model.MarkWeightsComplete(true);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes config.json (torch_dtype = the model's dtype) and the weights, sharded when they exceed
    /// <paramref name="maxShardBytes"/>. Weight files of an earlier save in the same folder are removed.
    /// </summary>
    public static void Save(CausalLanguageModel model, string folder, long maxShardBytes = DefaultMaxShardBytes)
    {
        Directory.CreateDirectory(folder);
        RemoveWeightFiles(folder);
        var tensors = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        var shards = Shard(tensors, maxShardBytes);
        if (shards.Count == 1)
            SafetensorsWriter.Write(Path.Combine(folder, WeightFiles.SingleFile), shards[0]);
        else
            WriteShards(folder, shards);
        ModelConfigJson.WriteFile(model.Config with { TorchDtype = model.Dtype }, Path.Combine(folder, ConfigFile));
    }

    private static void WriteShards(string folder, List<List<(string Name, Tensor Tensor)>> shards)
    {
        var weightMap = new JsonObject();
        long total = 0;
        for (var i = 0; i < shards.Count; i++)
        {
            var fileName = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsWriter.Write(Path.Combine(folder, fileName), shards[i]);
            foreach (var (name, tensor) in shards[i])
            {
                weightMap[name] = fileName;
                total += SafetensorsWriter.ByteSize(tensor);
            }
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = total },
            ["weight_map"] = weightMap,
        };
        var indexPath = Path.Combine(folder, WeightFiles.IndexFile);
        File.WriteAllText(indexPath + ".tmp", index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(indexPath + ".tmp", indexPath, overwrite: true);
    }

    /// <summary>Consecutive tensors grouped so that no group exceeds the limit (a larger single tensor gets its own shard).</summary>
    private static List<List<(string Name, Tensor Tensor)>> Shard(List<(string Name, Tensor Tensor)> tensors, long maxShardBytes)
    {
        var shards = new List<List<(string, Tensor)>> { new() };
        long current = 0;
        foreach (var item in tensors)
        {
            var size = SafetensorsWriter.ByteSize(item.Tensor);
            if (current > 0 && current + size > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(item);
            current += size;
        }
        return shards;
    }

    private static void RemoveWeightFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "model*.safetensors*"))
            File.Delete(file);
    }
}
