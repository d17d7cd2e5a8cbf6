using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>What an <c>adapter_config.json</c> says: the adapter's shape and the base it was trained on.</summary>
public sealed record AdapterConfig(LoraSettings Settings, string BaseModel);

/// <summary>
/// LoRA adapters in PEFT's layout, so that <c>PeftModel.from_pretrained(base, folder)</c> loads a folder written
/// here: <c>adapter_config.json</c> (peft_type LORA, task_type CAUSAL_LM, r, lora_alpha, lora_dropout,
/// target_modules, base_model_name_or_path) and <c>adapter_model.safetensors</c> with PEFT's saved names,
/// <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c> (r, in) and <c>….lora_B.weight</c> (out, r),
/// float32. Loading checks every name and shape before copying any, and that the base is the one configured.
/// </summary>
public static class AdapterFolder
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";

    /// <summary>PEFT's prefix of saved tensor names (PeftModel → LoraModel → the transformers model).</summary>
    public const string NamePrefix = "base_model.model.";

    /// <summary>True when <paramref name="folder"/> holds an adapter rather than a full model.</summary>
    public static bool IsAdapter(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>The value written as <c>base_model_name_or_path</c>: a folder's full path, or the name as given.</summary>
    public static string BaseName(string baseModel) => Directory.Exists(baseModel) ? Path.GetFullPath(baseModel) : baseModel;

    public static void Save(LoraAdapter adapter, string folder)
    {
        Directory.CreateDirectory(folder);
        var s = adapter.Settings;
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = adapter.BaseModel,
            ["r"] = s.Rank,
            ["lora_alpha"] = s.Alpha,
            ["lora_dropout"] = s.Dropout,
            ["target_modules"] = new JsonArray([.. s.TargetModules.Select(m => JsonValue.Create(m))]),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["init_lora_weights"] = true,
            ["inference_mode"] = true,
            ["use_rslora"] = false,
            ["use_dora"] = false,
            ["modules_to_save"] = null,
            ["r1actors_init_seed"] = s.InitSeed,
        };
        SafetensorsWriter.Write(Path.Combine(folder, WeightsFile),
            [.. adapter.NamedParameters().Select(p => (NamePrefix + p.Name, (Tensor)p.Parameter))]);
        var path = Path.Combine(folder, ConfigFile);
        File.WriteAllText(path + ".tmp", config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <exception cref="ModelFormatException">The file is missing or malformed, or is not a LoRA adapter for a causal LM.</exception>
    public static AdapterConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ModelFormatException($"{path}: expected a JSON object");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the adapter config ({e.Message})");
        }
        if (json["peft_type"]?.GetValue<string>() is not "LORA")
            throw new ModelFormatException($"{path}: peft_type must be \"LORA\", got {json["peft_type"]?.ToJsonString() ?? "nothing"}");
        try
        {
            var targets = json["target_modules"] is JsonArray list ? list.Select(t => t!.GetValue<string>()).ToArray()
                : [json["target_modules"]!.GetValue<string>()];
            var settings = new LoraSettings(json["r"]!.GetValue<int>(), json["lora_alpha"]!.GetValue<double>(),
                json["lora_dropout"]?.GetValue<double>() ?? 0.0, targets, json["r1actors_init_seed"]?.GetValue<long>() ?? 0);
            if (settings.Problem() is { } problem)
                throw new ModelFormatException($"{path}: {problem.Problem}");
            return new AdapterConfig(settings, json["base_model_name_or_path"]?.GetValue<string>() ?? "");
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException($"{path}: r, lora_alpha and target_modules must be present with numbers and names ({e.Message})");
        }
    }

    /// <summary>
    /// Checks that the adapter of <paramref name="folder"/> was trained on <paramref name="baseModel"/> (its
    /// <c>base_model_name_or_path</c>), as far as a name can tell; the tensor shapes are checked on load.
    /// </summary>
    public static void CheckBase(string folder, string baseModel)
    {
        var recorded = ReadConfig(folder).BaseModel;
        var configured = BaseName(baseModel);
        if (recorded.Length > 0 && !string.Equals(recorded, configured, StringComparison.Ordinal))
            throw new ModelFormatException(
                $"{Path.Combine(folder, ConfigFile)}: the adapter was trained on base_model_name_or_path \"{recorded}\", but r1.model.path is \"{configured}\"; point r1.model.path at that base, or start a new run");
    }

    /// <summary>Copies the adapter tensors of <paramref name="folder"/> into <paramref name="adapter"/>, after checking every name and shape.</summary>
    public static void LoadInto(LoraAdapter adapter, string folder)
    {
        var path = Path.Combine(folder, WeightsFile);
        if (!File.Exists(path))
            throw new ModelFormatException($"{path}: the adapter's weights are missing");
        using var file = SafetensorsFile.Open(path);
        var provided = file.Entries.Values.ToDictionary(e => e.Name.StartsWith(NamePrefix, StringComparison.Ordinal) ? e.Name[NamePrefix.Length..] : e.Name, e => e.Shape);
        WeightMatching.CheckAdapter(adapter, provided, _ => path, folder);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in adapter.NamedParameters())
        {
            using var stored = file.Read(NamePrefix + name);
            parameter.copy_(stored);
        }
    }

    /// <summary>
    /// The base model of <paramref name="baseFolder"/> (default: the adapter's <c>base_model_name_or_path</c>) with the
    /// adapter of <paramref name="adapterFolder"/> on it: what <c>eval</c> and <c>export --merge</c> load.
    /// </summary>
    public static CausalLanguageModel LoadWithBase(string adapterFolder, string? baseFolder, Device device, ScalarType? dtype = null)
    {
        var config = ReadConfig(adapterFolder);
        var baseModel = baseFolder ?? config.BaseModel;
        if (baseModel.Length == 0 || !Directory.Exists(baseModel))
            throw new ModelFormatException(
                $"{Path.Combine(adapterFolder, ConfigFile)}: base_model_name_or_path \"{config.BaseModel}\" is not a model folder here; name the base folder explicitly");
        if (baseFolder is not null)
            CheckBase(adapterFolder, baseFolder);
        var model = ModelFolder.Load(baseModel, device, dtype);
        try
        {
            model.AttachAdapter(config.Settings, BaseName(baseModel));
            LoadInto(model.Adapter!, adapterFolder);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
