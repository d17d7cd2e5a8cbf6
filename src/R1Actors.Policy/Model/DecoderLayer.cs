using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) ⊙ up(x)).</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Projection gate_proj;
    private readonly Projection up_proj;
    private readonly Projection down_proj;

    public Mlp(ModelConfig config, ScalarType dtype, Device device) : base("mlp")
    {
        gate_proj = new Projection("gate_proj", config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        up_proj = new Projection("up_proj", config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        down_proj = new Projection("down_proj", config.IntermediateSize, config.HiddenSize, config.MlpBias, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x);   // (B, T, I)
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }
}

/// <summary>Pre-norm block: h = x + attn(norm(x)); out = h + mlp(norm(h)).</summary>
internal sealed class DecoderLayer : nn.Module
{
    private readonly RmsNorm input_layernorm;
    private readonly Attention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly Mlp mlp;
    private readonly int index;

    public DecoderLayer(ModelConfig config, int index, ScalarType dtype, Device device) : base($"layer{index}")
    {
        this.index = index;
        input_layernorm = new RmsNorm("input_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device);
        self_attn = new Attention(config, dtype, device);
        post_attention_layernorm = new RmsNorm("post_attention_layernorm", config.HiddenSize, config.RmsNormEps, dtype, device);
        mlp = new Mlp(config, dtype, device);
        RegisterComponents();
    }

    /// <summary>x (B, T, H) → (B, T, H).</summary>
    public Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.forward(x), context, index);
        return (h + mlp.forward(post_attention_layernorm.forward(h))).MoveToOuterDisposeScope();
    }
}
