using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>
/// The safetensors weights of a Hugging Face model folder: either one <c>model.safetensors</c> or shards
/// listed by <c>model.safetensors.index.json</c>. Maps each tensor name to the file that holds it.
/// </summary>
internal sealed class WeightFiles : IDisposable
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";
    private readonly List<SafetensorsFile> files;
    private readonly Dictionary<string, SafetensorsFile> byTensor;

    private WeightFiles(List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byTensor)
    {
        this.files = files;
        this.byTensor = byTensor;
    }

    public IEnumerable<SafetensorsEntry> Entries => byTensor.Select(kv => kv.Value.Entries[kv.Key]);

    public static WeightFiles Open(string folder)
    {
        var index = Path.Combine(folder, IndexFile);
        var single = Path.Combine(folder, SingleFile);
        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            return new WeightFiles([file], file.Entries.Keys.ToDictionary(name => name, _ => file));
        }
        if (File.Exists(index))
            return OpenSharded(folder, index);
        var hint = File.Exists(Path.Combine(folder, "pytorch_model.bin"))
            ? " It has pytorch_model.bin: R1Actors reads safetensors only; convert the weights with save_pretrained(safe_serialization=True)."
            : "";
        throw new ModelFormatException($"{folder}: no {SingleFile} or {IndexFile}.{hint}");
    }

    private static WeightFiles OpenSharded(string folder, string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var files = new List<SafetensorsFile>();
        var byTensor = new Dictionary<string, SafetensorsFile>();
        try
        {
            foreach (var group in weightMap.GroupBy(kv => kv.Value))
            {
                var file = SafetensorsFile.Open(Path.Combine(folder, group.Key));
                files.Add(file);
                foreach (var (tensor, _) in group)
                    byTensor[tensor] = file.Entries.ContainsKey(tensor)
                        ? file
                        : throw new ModelFormatException($"{indexPath}: says tensor '{tensor}' is in {group.Key}, which has no such tensor.");
            }
            return new WeightFiles(files, byTensor);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            var map = JsonNode.Parse(File.ReadAllText(indexPath))?["weight_map"] as JsonObject
                ?? throw new ModelFormatException($"{indexPath}: missing key 'weight_map'.");
            return map.ToDictionary(
                kv => kv.Key,
                kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var file) && !file.Contains('/') && !file.Contains('\\')
                    ? file
                    : throw new ModelFormatException($"{indexPath}: key 'weight_map.{kv.Key}' must be a file name in the folder."));
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{indexPath}: not valid JSON ({e.Message}).", e);
        }
    }

    public string FileOf(string tensor) => byTensor[tensor].Path;

    /// <summary>A new CPU tensor with the stored dtype.</summary>
    public Tensor Read(string tensor) => byTensor[tensor].Read(tensor);

    public void Dispose() => files.ForEach(f => f.Dispose());
}
