using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1Actors.Policy.Model;

/// <summary>
/// Reads and writes Hugging Face <c>config.json</c>. Reading names the file and key of anything missing or
/// malformed; writing produces the keys transformers expects for the family (architectures, model_type,
/// torch_dtype, …) plus every key of the original file that R1Actors does not interpret.
/// </summary>
public static class ModelConfigJson
{
    private static readonly string[] InterpretedKeys =
    [
        "architectures", "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps", "rope_theta", "rope_scaling",
        "max_position_embeddings", "tie_word_embeddings", "attention_bias", "mlp_bias", "initializer_range",
        "torch_dtype", "dtype", "bos_token_id", "eos_token_id", "pad_token_id", "hidden_act",
    ];

    public static ModelConfig ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new ModelFormatException($"{path}: file not found (a model folder needs config.json).");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message}).", e);
        }
        return Parse(node as JsonObject ?? throw new ModelFormatException($"{path}: must hold a JSON object."), path);
    }

    public static ModelConfig Parse(JsonObject json, string source)
    {
        var family = ModelFamilies.ForModelType(Text(json, "model_type", source), source);
        family.Check(json, source);
        var activation = OptionalText(json, "hidden_act", source) ?? "silu";
        if (activation != "silu")
            throw new ModelFormatException($"{source}: key 'hidden_act' is '{activation}'; R1Actors implements silu (SwiGLU).");
        var hidden = Int(json, "hidden_size", source);
        var heads = Int(json, "num_attention_heads", source);
        var extra = new JsonObject();
        foreach (var (key, value) in json)
            if (!InterpretedKeys.Contains(key))
                extra[key] = value?.DeepClone();
        return new ModelConfig
        {
            Family = family,
            VocabSize = Int(json, "vocab_size", source),
            HiddenSize = hidden,
            IntermediateSize = Int(json, "intermediate_size", source),
            NumHiddenLayers = Int(json, "num_hidden_layers", source),
            NumAttentionHeads = heads,
            NumKeyValueHeads = OptionalInt(json, "num_key_value_heads", source) ?? heads,
            HeadDim = OptionalInt(json, "head_dim", source) ?? (heads > 0 ? hidden / heads : 0),
            RmsNormEps = OptionalNumber(json, "rms_norm_eps", source) ?? 1e-6,
            RopeTheta = OptionalNumber(json, "rope_theta", source) ?? 10000.0,
            RopeScaling = RopeScalingJson.Read(json["rope_scaling"], source),
            MaxPositionEmbeddings = OptionalInt(json, "max_position_embeddings", source) ?? 32768,
            TieWordEmbeddings = OptionalBool(json, "tie_word_embeddings", source) ?? false,
            AttentionBias = OptionalBool(json, "attention_bias", source) ?? false,
            MlpBias = OptionalBool(json, "mlp_bias", source) ?? false,
            InitializerRange = OptionalNumber(json, "initializer_range", source) ?? 0.02,
            TorchDtype = Dtypes.Parse(OptionalText(json, "torch_dtype", source) ?? OptionalText(json, "dtype", source) ?? "float32", "torch_dtype", source),
            BosTokenId = OptionalInt(json, "bos_token_id", source),
            EosTokenIds = TokenIds(json, "eos_token_id", source),
            PadTokenId = OptionalInt(json, "pad_token_id", source),
            Extra = extra,
        }.Validated(source);
    }

    public static JsonObject ToJson(ModelConfig config)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(config.Family.Architecture),
            ["model_type"] = config.Family.ModelType,
            ["vocab_size"] = config.VocabSize,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_hidden_layers"] = config.NumHiddenLayers,
            ["num_attention_heads"] = config.NumAttentionHeads,
            ["num_key_value_heads"] = config.NumKeyValueHeads,
            ["head_dim"] = config.HeadDim,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = config.RmsNormEps,
            ["rope_theta"] = config.RopeTheta,
            ["rope_scaling"] = config.RopeScaling.ToJson(),
            ["max_position_embeddings"] = config.MaxPositionEmbeddings,
            ["tie_word_embeddings"] = config.TieWordEmbeddings,
            ["initializer_range"] = config.InitializerRange,
            ["torch_dtype"] = Dtypes.Name(config.TorchDtype),
            ["bos_token_id"] = config.BosTokenId,
            ["eos_token_id"] = config.EosTokenIds.Count == 1
                ? config.EosTokenIds[0]
                : new JsonArray([.. config.EosTokenIds.Select(id => (JsonNode)id)]),
            ["pad_token_id"] = config.PadTokenId,
            ["use_cache"] = true,
            ["attention_dropout"] = 0.0,
        };
        config.Family.Write(json, config);
        foreach (var (key, value) in config.Extra)
            if (!json.ContainsKey(key))
                json[key] = value?.DeepClone();
        return json;
    }

    public static void WriteFile(ModelConfig config, string path) =>
        File.WriteAllText(path, ToJson(config).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    private static int Int(JsonObject json, string key, string source) =>
        OptionalInt(json, key, source) ?? throw new ModelFormatException($"{source}: missing key '{key}'.");

    private static int? OptionalInt(JsonObject json, string key, string source) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        _ => throw new ModelFormatException($"{source}: key '{key}' must be an integer, found {json[key]!.ToJsonString()}."),
    };

    private static double? OptionalNumber(JsonObject json, string key, string source) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => throw new ModelFormatException($"{source}: key '{key}' must be a number, found {json[key]!.ToJsonString()}."),
    };

    private static bool? OptionalBool(JsonObject json, string key, string source) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new ModelFormatException($"{source}: key '{key}' must be true or false, found {json[key]!.ToJsonString()}."),
    };

    private static string Text(JsonObject json, string key, string source) =>
        OptionalText(json, key, source) ?? throw new ModelFormatException($"{source}: missing key '{key}'.");

    private static string? OptionalText(JsonObject json, string key, string source) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw new ModelFormatException($"{source}: key '{key}' must be a string, found {json[key]!.ToJsonString()}."),
    };

    private static IReadOnlyList<int> TokenIds(JsonObject json, string key, string source) => json[key] switch
    {
        null => [],
        JsonArray array => [.. array.Select((item, i) => item is JsonValue v && v.TryGetValue<int>(out var id)
            ? id
            : throw new ModelFormatException($"{source}: key '{key}[{i}]' must be an integer."))],
        _ => [Int(json, key, source)],
    };
}
