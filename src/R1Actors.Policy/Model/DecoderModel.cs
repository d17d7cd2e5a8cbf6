using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>The body of the decoder (Hugging Face's <c>model.*</c>): embedding, layers, final norm.</summary>
internal sealed class DecoderModel : nn.Module
{
    private readonly TokenEmbedding embed_tokens;
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;

    public DecoderModel(ModelConfig config, ScalarType dtype, Device device) : base("model")
    {
        embed_tokens = new TokenEmbedding("embed_tokens", config.VocabSize, config.HiddenSize, dtype, device);
        layers = nn.ModuleList([.. Enumerable.Range(0, config.NumHiddenLayers).Select(i => new DecoderLayer(config, i, dtype, device))]);
        norm = new RmsNorm("norm", config.HiddenSize, config.RmsNormEps, dtype, device);
        RegisterComponents();
    }

    public Tensor EmbeddingWeight => embed_tokens.Weight;

    /// <summary>ids (B, T) → final-normed hidden states (B, T, H).</summary>
    public Tensor Forward(Tensor ids, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var h = embed_tokens.forward(ids);
        foreach (var layer in layers)
            h = layer.Forward(h, context);
        return norm.forward(h).MoveToOuterDisposeScope();
    }
}
