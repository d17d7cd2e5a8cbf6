using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>What every layer of one forward pass shares: rotary angles, the attention mask and the cache.</summary>
/// <param name="Cos">(B, T, 1, D) rotary cosines of the new tokens' positions.</param>
/// <param name="SignedSin">(B, T, 1, D) rotary sines, first half negated (see <see cref="Rotary.Angles"/>).</param>
/// <param name="Blocked">(B, 1, 1, T, L) bool: true where query t may not see key slot l (future or padding); null with <paramref name="Blocks"/>.</param>
/// <param name="Cache">Keys/values of earlier steps, or null for a full teacher-forced pass.</param>
/// <param name="Blocks">Packed sequences (B = 1): attention runs within each block alone, under its own mask.</param>
internal sealed record AttentionContext(Tensor Cos, Tensor SignedSin, Tensor? Blocked, IKeyValueStore? Cache, IReadOnlyList<AttentionBlock>? Blocks = null);

/// <summary>Where cached decoding keeps keys and values: a batch's <see cref="KvCache"/> or the slots of a <see cref="SlotKvCache"/>.</summary>
internal interface IKeyValueStore
{
    /// <summary>
    /// Stores layer <paramref name="layer"/>'s new (B, kvH, T, D) keys/values and attends the grouped queries
    /// (B, kvH, G·T, D) to the stored keys under <paramref name="blocked"/> → (B, kvH, G·T, D).
    /// </summary>
    Tensor Attend(int layer, Tensor grouped, Tensor newKeys, Tensor newValues, Tensor blocked);
}

/// <summary>
/// Grouped-query self-attention as Qwen2/Llama: G = heads / kv_heads query heads share one key/value head
/// (query head h reads kv head h / G, Hugging Face's repeat_kv order). Instead of repeating K and V, the
/// G query heads of a group are stacked along the time axis so that one matmul serves the group.
/// Scores are softmaxed in float32; masked scores get float32's minimum, not −∞, so that an all-padding
/// query row stays finite instead of turning into NaN.
/// </summary>
internal sealed class Attention : nn.Module
{
    private readonly Projection q_proj;
    private readonly Projection k_proj;
    private readonly Projection v_proj;
    private readonly Projection o_proj;
    private readonly RmsNorm? q_norm;
    private readonly RmsNorm? k_norm;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;
    private readonly double scale;

    public Attention(ModelConfig config, ScalarType dtype, Device device) : base("self_attn")
    {
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        scale = 1.0 / Math.Sqrt(headDim);
        var qkvBias = config.Family.QkvBias(config);
        q_proj = new Projection("q_proj", config.HiddenSize, heads * headDim, qkvBias, dtype, device);
        k_proj = new Projection("k_proj", config.HiddenSize, kvHeads * headDim, qkvBias, dtype, device);
        v_proj = new Projection("v_proj", config.HiddenSize, kvHeads * headDim, qkvBias, dtype, device);
        o_proj = new Projection("o_proj", heads * headDim, config.HiddenSize, config.Family.OutputBias(config), dtype, device);
        if (config.Family.HasQkNorm)
        {
            q_norm = new RmsNorm("q_norm", headDim, config.RmsNormEps, dtype, device);
            k_norm = new RmsNorm("k_norm", headDim, config.RmsNormEps, dtype, device);
        }
        RegisterComponents();
    }

    /// <summary>x (B, T, H) → (B, T, H).</summary>
    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.forward(x).view(b, t, heads, headDim);       // (B, T, nH, D)
        var k = k_proj.forward(x).view(b, t, kvHeads, headDim);     // (B, T, kvH, D)
        var v = v_proj.forward(x).view(b, t, kvHeads, headDim);
        if (q_norm is not null && k_norm is not null)
        {
            q = q_norm.forward(q);
            k = k_norm.forward(k);
        }
        q = Rotary.Apply(q, context.Cos, context.SignedSin);
        k = Rotary.Apply(k, context.Cos, context.SignedSin).transpose(1, 2);    // (B, kvH, T, D)
        v = v.transpose(1, 2);
        if (context.Blocks is { } blocks)
            return o_proj.forward(AttendBlocks(q, k, v, blocks)).MoveToOuterDisposeScope();
        var groups = heads / kvHeads;
        var grouped = (q * scale).view(b, t, kvHeads, groups, headDim)
            .permute(0, 2, 3, 1, 4).reshape(b, kvHeads, groups * t, headDim);   // (B, kvH, G·T, D)
        var attended = (context.Cache is { } cache
                ? cache.Attend(layer, grouped, k, v, context.Blocked!)
                : Attend(grouped, k, v, context.Blocked!))                     // (B, kvH, G·T, D)
            .view(b, kvHeads, groups, t, headDim)
            .permute(0, 3, 1, 2, 4).reshape(b, t, heads * headDim);          // (B, T, nH·D)
        return o_proj.forward(attended).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Packed sequences (q (1, T, nH, D) rotated, k and v (1, kvH, T, D)): attention within each block alone, by
    /// libtorch's fused scaled-dot-product attention — causal without a mask for a block of one sequence, under the
    /// block's mask otherwise — which never materialises a block's (T, T) scores and skips the masked half of a
    /// causal one. The blocks tile the row in order, so q, k and v are split (one view each, and in the backward
    /// pass one concatenation) rather than narrowed per block, whose backward would write a full-size zero
    /// gradient for every block. Key/value heads are repeated for their G query heads (Hugging Face's repeat_kv).
    /// </summary>
    private Tensor AttendBlocks(Tensor q, Tensor k, Tensor v, IReadOnlyList<AttentionBlock> blocks)
    {
        var lengths = blocks.Select(b => b.Length).ToArray();
        var groups = heads / kvHeads;
        var queries = q.transpose(1, 2).split(lengths, 2);                                   // (1, nH, Tb, D) each
        var keys = (groups == 1 ? k : k.repeat_interleave(groups, 1)).split(lengths, 2);      // (1, nH, Tb, D)
        var values = (groups == 1 ? v : v.repeat_interleave(groups, 1)).split(lengths, 2);
        var attended = blocks.Select((block, i) => block.Allowed is { } allowed
            ? nn.functional.scaled_dot_product_attention(queries[i], keys[i], values[i], allowed)
            : nn.functional.scaled_dot_product_attention(queries[i], keys[i], values[i], is_casual: true));
        return cat([.. attended], 2).transpose(1, 2).reshape(q.shape[0], q.shape[1], heads * headDim);   // (1, T, nH·D)
    }

    /// <summary>
    /// grouped queries (B, kvH, G·T, D), keys and values (B, kvH, L, D), blocked (B, 1, 1, T, L) → (B, kvH, G·T, D):
    /// softmax(q·kᵀ, masked) · v, the scores in float32 when the model is 16-bit.
    /// </summary>
    internal static Tensor Attend(Tensor grouped, Tensor keys, Tensor values, Tensor blocked)
    {
        using var scope = NewDisposeScope();
        long b = grouped.shape[0], kvHeads = grouped.shape[1], t = blocked.shape[3];
        var scores = grouped.matmul(keys.transpose(2, 3)).view(b, kvHeads, -1, t, keys.shape[2]);   // (B, kvH, G, T, L)
        var upcast = grouped.dtype is ScalarType.BFloat16 or ScalarType.Float16;   // float64 (gradient checks) stays float64
        var weights = (upcast ? scores.to(ScalarType.Float32) : scores).masked_fill_(blocked, float.MinValue).softmax(-1);
        if (upcast)
            weights = weights.to(grouped.dtype);
        return weights.view(b, kvHeads, grouped.shape[2], -1).matmul(values).MoveToOuterDisposeScope();
    }
}
