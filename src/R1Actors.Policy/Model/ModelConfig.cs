using System.Text.Json.Nodes;
using TorchSharp;

namespace R1Actors.Policy.Model;

/// <summary>
/// The shape of a decoder of the Qwen2 / Qwen3 / Llama family, read from and written to a Hugging Face
/// <c>config.json</c>. Keys that R1Actors does not interpret are kept in <see cref="Extra"/> and written back,
/// so a loaded-then-saved folder keeps everything the original config said.
/// </summary>
public sealed record ModelConfig
{
    public required IModelFamily Family { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    /// <summary>Per-head width; Qwen3 sets it explicitly, the others use hidden_size / num_attention_heads.</summary>
    public required int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public IRopeScaling RopeScaling { get; init; } = NoRopeScaling.Instance;
    public int MaxPositionEmbeddings { get; init; } = 32768;
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Llama's <c>attention_bias</c> / <c>mlp_bias</c>; Qwen2 ignores them (its q/k/v always have a bias).</summary>
    public bool AttentionBias { get; init; }
    public bool MlpBias { get; init; }
    public double InitializerRange { get; init; } = 0.02;
    /// <summary>The dtype the weights are stored in (<c>torch_dtype</c>): float32, bfloat16 or float16.</summary>
    public torch.ScalarType TorchDtype { get; init; } = torch.ScalarType.Float32;
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public int? PadTokenId { get; init; }
    /// <summary>Keys of the original config.json that R1Actors does not interpret, written back unchanged.</summary>
    public JsonObject Extra { get; init; } = [];

    public int KeyValueGroups => NumAttentionHeads / NumKeyValueHeads;

    /// <summary>Checks that the sizes fit together; throws naming the key that does not.</summary>
    public ModelConfig Validated(string source)
    {
        Require(VocabSize > 0, "vocab_size", "a positive integer");
        Require(HiddenSize > 0, "hidden_size", "a positive integer");
        Require(IntermediateSize > 0, "intermediate_size", "a positive integer");
        Require(NumHiddenLayers > 0, "num_hidden_layers", "a positive integer");
        Require(NumAttentionHeads > 0, "num_attention_heads", "a positive integer");
        Require(NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads == 0,
            "num_key_value_heads", $"a positive divisor of num_attention_heads ({NumAttentionHeads})");
        Require(HeadDim > 0 && HeadDim % 2 == 0, "head_dim", "a positive even integer (rotary embedding pairs dimensions)");
        Require(RmsNormEps > 0, "rms_norm_eps", "a positive number");
        Require(RopeTheta > 0, "rope_theta", "a positive number");
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings", "a positive integer");
        return this;

        void Require(bool ok, string key, string expected)
        {
            if (!ok)
                throw new ModelFormatException($"{source}: key '{key}' must be {expected}.");
        }
    }

    /// <summary>
    /// The config.json keys whose values make <paramref name="other"/>'s weights a different shape from this one's
    /// (<c>hidden_size 128 vs 64</c>: this config's value first), or null when a checkpoint of one loads as the other.
    /// </summary>
    public string? ShapeDifference(ModelConfig other)
    {
        (string Key, object Mine, object Theirs)[] keys =
        [
            ("model_type", Family.ModelType, other.Family.ModelType), ("vocab_size", VocabSize, other.VocabSize),
            ("hidden_size", HiddenSize, other.HiddenSize), ("intermediate_size", IntermediateSize, other.IntermediateSize),
            ("num_hidden_layers", NumHiddenLayers, other.NumHiddenLayers), ("num_attention_heads", NumAttentionHeads, other.NumAttentionHeads),
            ("num_key_value_heads", NumKeyValueHeads, other.NumKeyValueHeads), ("head_dim", HeadDim, other.HeadDim),
        ];
        var differences = keys.Where(k => !k.Mine.Equals(k.Theirs)).Select(k => $"{k.Key} {k.Mine} vs {k.Theirs}").ToList();
        return differences.Count == 0 ? null : string.Join(", ", differences);
    }

    /// <summary>Number of parameters (tied embeddings counted once).</summary>
    public long ParameterCount()
    {
        long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        var attention = h * q + 2 * h * kv + q * h + (Family.QkvBias(this) ? q + 2 * kv : 0) + (Family.OutputBias(this) ? h : 0)
            + (Family.HasQkNorm ? 2L * HeadDim : 0);
        var mlp = 3 * h * IntermediateSize + (MlpBias ? 2L * IntermediateSize + h : 0);
        var perLayer = attention + mlp + 2 * h;
        return VocabSize * h * (TieWordEmbeddings ? 1 : 2) + NumHiddenLayers * perLayer + h;
    }

    /// <summary>Multiply-adds per generated token at context length <paramref name="context"/>, × 2 = FLOPs.</summary>
    public double FlopsPerToken(int context)
    {
        long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        double matmuls = NumHiddenLayers * (2.0 * h * q + 2.0 * h * kv + 3.0 * h * IntermediateSize)
            + (double)VocabSize * h;
        double attention = NumHiddenLayers * 2.0 * q * context;
        return 2.0 * (matmuls + attention);
    }
}
