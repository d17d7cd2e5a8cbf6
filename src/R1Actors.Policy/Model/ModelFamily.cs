using System.Text.Json.Nodes;

namespace R1Actors.Policy.Model;

/// <summary>
/// What distinguishes one Hugging Face decoder family from another: the <c>model_type</c> and architecture
/// names, where the linear layers carry a bias, whether q/k get their own RMSNorm, and the family's own
/// config keys. Each family is one small type; <see cref="ModelFamilies"/> picks one by <c>model_type</c>.
/// </summary>
public interface IModelFamily
{
    string ModelType { get; }
    string Architecture { get; }
    bool HasQkNorm { get; }
    bool QkvBias(ModelConfig config);
    bool OutputBias(ModelConfig config);
    /// <summary>Rejects keys of this family that R1Actors does not implement (e.g. sliding-window attention).</summary>
    void Check(JsonObject json, string source);
    /// <summary>Adds the keys Hugging Face expects for this family to a config being written.</summary>
    void Write(JsonObject json, ModelConfig config);
}

/// <summary>Qwen2 / Qwen2.5: q, k and v projections always carry a bias, o_proj and the MLP never do.</summary>
public sealed class Qwen2Family : IModelFamily
{
    public static readonly Qwen2Family Instance = new();
    public string ModelType => "qwen2";
    public string Architecture => "Qwen2ForCausalLM";
    public bool HasQkNorm => false;
    public bool QkvBias(ModelConfig config) => true;
    public bool OutputBias(ModelConfig config) => false;

    public void Check(JsonObject json, string source) => ModelFamilies.RejectSlidingWindow(json, source);

    public void Write(JsonObject json, ModelConfig config)
    {
        json["use_sliding_window"] = false;
        json["sliding_window"] ??= config.MaxPositionEmbeddings;
        json["max_window_layers"] ??= config.NumHiddenLayers;
    }
}

/// <summary>Qwen3: no q/k/v bias by default (<c>attention_bias</c>), RMSNorm on each head of q and k.</summary>
public sealed class Qwen3Family : IModelFamily
{
    public static readonly Qwen3Family Instance = new();
    public string ModelType => "qwen3";
    public string Architecture => "Qwen3ForCausalLM";
    public bool HasQkNorm => true;
    public bool QkvBias(ModelConfig config) => config.AttentionBias;
    public bool OutputBias(ModelConfig config) => config.AttentionBias;

    public void Check(JsonObject json, string source) => ModelFamilies.RejectSlidingWindow(json, source);

    public void Write(JsonObject json, ModelConfig config)
    {
        json["attention_bias"] = config.AttentionBias;
        json["use_sliding_window"] = false;
        json["max_window_layers"] ??= config.NumHiddenLayers;
    }
}

/// <summary>Llama 2 / 3: <c>attention_bias</c> applies to q, k, v and o; <c>mlp_bias</c> to the MLP.</summary>
public sealed class LlamaFamily : IModelFamily
{
    public static readonly LlamaFamily Instance = new();
    public string ModelType => "llama";
    public string Architecture => "LlamaForCausalLM";
    public bool HasQkNorm => false;
    public bool QkvBias(ModelConfig config) => config.AttentionBias;
    public bool OutputBias(ModelConfig config) => config.AttentionBias;

    public void Check(JsonObject json, string source)
    {
        if (json["pretraining_tp"] is JsonValue tp && tp.GetValue<double>() > 1)
            throw new ModelFormatException($"{source}: key 'pretraining_tp' > 1 is not supported; set it to 1.");
    }

    public void Write(JsonObject json, ModelConfig config)
    {
        json["attention_bias"] = config.AttentionBias;
        json["mlp_bias"] = config.MlpBias;
        json["pretraining_tp"] = 1;
    }
}

/// <summary>The families R1Actors implements, looked up by config.json's <c>model_type</c>.</summary>
public static class ModelFamilies
{
    private static readonly IModelFamily[] Known = [Qwen2Family.Instance, Qwen3Family.Instance, LlamaFamily.Instance];

    public static IModelFamily ForModelType(string modelType, string source) =>
        Known.FirstOrDefault(f => f.ModelType == modelType)
        ?? throw new ModelFormatException(
            $"{source}: unknown model_type '{modelType}'; R1Actors implements {string.Join(", ", Known.Select(f => f.ModelType))}.");

    internal static void RejectSlidingWindow(JsonObject json, string source)
    {
        if (json["use_sliding_window"] is JsonValue v && v.GetValue<bool>())
            throw new ModelFormatException(
                $"{source}: key 'use_sliding_window' is true; R1Actors implements full attention only (set it to false).");
    }
}
