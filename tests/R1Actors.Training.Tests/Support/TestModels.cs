using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Support;

/// <summary>
/// logits[t] = table[token_t]: the smallest causal model, whose log-probs and gradients can be written by
/// hand (∂ log softmax(table[a])[b] / ∂ table[a] = onehot(b) − softmax(table[a])).
/// </summary>
internal sealed class BigramModel : nn.Module<Tensor, Tensor, Tensor>, ICausalLanguageModel
{
    private readonly Embedding table;

    public BigramModel(int vocab, ScalarType dtype = ScalarType.Float64, long seed = 1) : base("bigram")
    {
        table = nn.Embedding(vocab, vocab, dtype: dtype);
        RegisterComponents();
        ModuleTensors.Initialise(this, seed);
    }

    public Parameter Table => table.weight!;

    public nn.Module Module => this;

    /// <summary>Its parameters as <c>model.safetensors</c>; it has no Hugging Face architecture, so no <c>config.json</c>.</summary>
    public void SaveWeights(string folder) =>
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), [.. named_parameters().Select(p => (p.name, (Tensor)p.parameter))]);

    public Tensor Forward(Tensor inputIds, Tensor attentionMask) => forward(inputIds, attentionMask);

    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => table.forward(inputIds);   // (B, T, V)
}

/// <summary>
/// A tiny context-dependent decoder: token embedding, causal mean of the embeddings so far, a mixing layer,
/// a layer norm (1-D parameters, so weight decay rules are exercised) and an output head.
/// Setting <see cref="Poisoned"/> makes every logit NaN, standing in for a numerically broken forward pass.
/// </summary>
internal sealed class TinyDecoder : nn.Module<Tensor, Tensor, Tensor>, ICausalLanguageModel
{
    private readonly Embedding embed_tokens;
    private readonly Linear mix;
    private readonly LayerNorm norm;
    private readonly Linear lm_head;

    public TinyDecoder(int vocab = 8, int hidden = 16, ScalarType dtype = ScalarType.Float32, long seed = 1) : base("tiny")
    {
        embed_tokens = nn.Embedding(vocab, hidden, dtype: dtype);
        mix = nn.Linear(2 * hidden, hidden, dtype: dtype);
        norm = nn.LayerNorm(hidden, dtype: dtype);
        lm_head = nn.Linear(hidden, vocab, dtype: dtype);
        RegisterComponents();
        ModuleTensors.Initialise(this, seed);
    }

    public bool Poisoned { get; set; }

    /// <summary>Keeps the forward pass finite but makes the gradient NaN (0 · ∂√x/∂x at x = 0 = 0 · ∞).</summary>
    public bool PoisonedGradient { get; set; }

    public nn.Module Module => this;

    /// <summary>Its parameters as <c>model.safetensors</c>; it has no Hugging Face architecture, so no <c>config.json</c>.</summary>
    public void SaveWeights(string folder) =>
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), [.. named_parameters().Select(p => (p.name, (Tensor)p.parameter))]);

    public Tensor Forward(Tensor inputIds, Tensor attentionMask) => forward(inputIds, attentionMask);

    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        var h = embed_tokens.forward(inputIds);                                     // (B, T, D)
        var mask = attentionMask.unsqueeze(-1).to_type(h.dtype);                    // (B, T, 1)
        var prefix = (h * mask).cumsum(1) / mask.cumsum(1).clamp_min(1.0);          // (B, T, D) causal mean
        var x = mix.forward(cat([h, prefix], -1)).tanh();                           // (B, T, D)
        var logits = lm_head.forward(norm.forward(x));                              // (B, T, V)
        if (PoisonedGradient)
            logits = logits + 0.0 * (mix.weight! - mix.weight!.detach()).sqrt().sum();
        return Poisoned ? logits * double.NaN : logits;
    }
}

internal static class ModuleTensors
{
    /// <summary>
    /// Fills every parameter from a generator of its own seeded with <paramref name="seed"/> (N(0, 0.5²)), so equal
    /// seeds give equal models even while other tests draw from torch's global generator on other threads.
    /// </summary>
    public static void Initialise(nn.Module module, long seed)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var parameter in module.parameters())
        {
            using var values = normal(0.0, 0.5, parameter.shape, ScalarType.Float32, generator: generator);
            parameter.copy_(values);
        }
    }

    /// <summary>Detached copies of every state-dict tensor, for before/after comparisons.</summary>
    public static Dictionary<string, Tensor> Copy(nn.Module module)
    {
        using var noGrad = no_grad();
        return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    /// <summary>True when every tensor of <paramref name="module"/> equals the copy bit for bit.</summary>
    public static bool Equal(nn.Module module, IReadOnlyDictionary<string, Tensor> copy) =>
        module.state_dict().All(kv => copy.ContainsKey(kv.Key) && BitEqual(kv.Value, copy[kv.Key]));

    /// <summary>Same dtype, same shape, same bytes (NaN payloads included).</summary>
    public static bool BitEqual(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
            return false;
        using var left = a.detach().contiguous().cpu();
        using var right = b.detach().contiguous().cpu();
        return left.bytes.SequenceEqual(right.bytes);
    }
}
