using R1Actors.Policy.Model.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// A decoder-only transformer of the Qwen2 / Qwen3 / Llama family with Hugging Face parameter names
/// (<c>model.layers.0.self_attn.q_proj.weight</c>, …, <c>lm_head.weight</c> unless tied). Built empty:
/// weights come from <see cref="Checkpoints.ModelFolder"/> or <see cref="ModelInitializer"/>.
/// Two ways in: a full pass over (B, T) ids and mask (training, teacher forcing), and cached decoding,
/// where each call appends T new tokens to a <see cref="KvCache"/>.
/// </summary>
public sealed class CausalLanguageModel : nn.Module, ICausalLanguageModel
{
    private readonly DecoderModel model;
    private readonly Projection? lm_head;
    private readonly Rotary rotary;
    private volatile bool weightsComplete;

    private CausalLanguageModel(ModelConfig config, ScalarType dtype, Device device) : base("CausalLanguageModel")
    {
        Config = config;
        Dtype = dtype;
        Device = device;
        model = new DecoderModel(config, dtype, device);
        lm_head = config.TieWordEmbeddings
            ? null
            : new Projection("lm_head", config.HiddenSize, config.VocabSize, hasBias: false, dtype, device);
        rotary = new Rotary(config, device);
        RegisterComponents();
    }

    public ModelConfig Config { get; }
    public ScalarType Dtype { get; }
    public Device Device { get; }
    public nn.Module Module => this;

    /// <summary>The LoRA adapter on this model, or null: with one, the base is frozen and only the adapter trains.</summary>
    public LoraAdapter? Adapter { get; private set; }

    /// <summary>Without an adapter, a Hugging Face model folder; with one, the adapter alone in PEFT's layout.</summary>
    public void SaveWeights(string folder)
    {
        if (Adapter is { } adapter)
            Checkpoints.AdapterFolder.Save(adapter, folder);
        else
            Checkpoints.ModelFolder.Save(this, folder);
    }

    /// <summary>With an adapter, its tensors only (the base is frozen); otherwise every parameter.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters() =>
        Adapter is { } adapter ? adapter.NamedParameters() : named_parameters();

    /// <summary>With an adapter, a copy of the adapter alone (samplers already hold the frozen base); otherwise of every weight.</summary>
    public ModelWeights PublishedWeights() => ModelWeights.Snapshot(this);

    /// <summary>The same model with the adapter switched off for each call: the frozen base, without a second copy of it.</summary>
    public ICausalLanguageModel WithoutAdapter() => new AdapterDisabledModel(this);

    /// <summary>Puts a fresh LoRA adapter on the targeted projections and freezes the base (see <see cref="LoraAdapter"/>).</summary>
    /// <exception cref="SettingsException">Rank ≤ 0 or a target module the model does not have.</exception>
    /// <param name="baseModel">What the adapter's <c>base_model_name_or_path</c> records: the base folder's path or hub name.</param>
    public LoraAdapter AttachAdapter(LoraSettings settings, string baseModel = "")
    {
        if (Adapter is not null)
            throw new InvalidOperationException("the model already has a LoRA adapter");
        Adapter = LoraAdapter.Attach(this, settings, baseModel);
        return Adapter;
    }

    /// <summary>Folds the adapter into the base weights (W + (α / r)·B A) and removes it: the model is then a plain one.</summary>
    public void MergeAdapter()
    {
        if (Adapter is not { } adapter)
            throw new InvalidOperationException("the model has no LoRA adapter to merge");
        adapter.MergeIntoBase();
        adapter.Dispose();
        Adapter = null;
    }

    /// <summary>A model with uninitialised weights; fill it before use (a checkpoint or <see cref="ModelInitializer"/>).</summary>
    public static CausalLanguageModel CreateEmpty(ModelConfig config, ScalarType dtype, Device device) =>
        new(config, dtype, device);

    /// <summary>(B, T) int64 ids, (B, T) mask (1 real, 0 padding) → (B, T, V) logits in the model dtype.</summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return Logits(HiddenStates(inputIds, attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>(B, T) ids and mask → (B, T − start, V) logits of positions start…T−1; the head runs on those alone.</summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask, long start)
    {
        using var scope = NewDisposeScope();
        var hidden = HiddenStates(inputIds, attentionMask);
        return Logits(hidden.narrow(1, start, hidden.shape[1] - start)).MoveToOuterDisposeScope();
    }

    /// <summary>(B, T) ids and mask → final-normed hidden states (B, T, H); positions are cumsum(mask) − 1.</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor attentionMask)
    {
        EnsureWeightsComplete();
        using var scope = NewDisposeScope();
        var keyMask = attentionMask.to(ScalarType.Bool);
        var positions = PositionsFromMask(attentionMask);
        var (cos, sin) = rotary.Angles(positions, Dtype);
        var context = new AttentionContext(cos, sin, BlockedMask(keyMask, start: 0, steps: inputIds.shape[1]), Cache: null);
        return model.Forward(inputIds, context).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Packed sequences (see <see cref="PackedSequences"/>) → logits (N, V) of the packed positions
    /// <paramref name="rows"/> (N) int64 only: the head runs on the positions whose next token is scored.
    /// </summary>
    public Tensor ForwardPacked(PackedSequences packed, Tensor rows)
    {
        EnsureWeightsComplete();
        using var scope = NewDisposeScope();
        var (cos, sin) = rotary.Angles(packed.Positions, Dtype);
        var context = new AttentionContext(cos, sin, Blocked: null, Cache: null, packed.Blocks);
        var hidden = model.Forward(packed.Ids, context);                    // (1, T, H)
        return Logits(hidden[0].index_select(0, rows)).MoveToOuterDisposeScope();   // (N, V)
    }

    /// <summary>
    /// Cached decoding: feeds T new tokens per row at the given positions, appends their keys/values to
    /// <paramref name="cache"/> and returns their hidden states (B, T, H). <paramref name="mask"/> (B, T) marks
    /// which new tokens are real (prefill of left-padded prompts); decoding steps pass ones.
    /// </summary>
    public Tensor Decode(Tensor ids, Tensor positions, Tensor mask, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var steps = ids.shape[1];
        var keyMask = cache.BeginStep(mask.to(ScalarType.Bool));            // (B, L)
        var hidden = DecodeInto(cache, ids, positions, BlockedMask(keyMask, cache.Length, steps));
        cache.EndStep(steps);
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Cached decoding with a mask the caller built: ids and positions (B, T), <paramref name="blocked"/>
    /// (B, 1, 1, T, L) true where a query may not see a key the store returns → hidden states (B, T, H).
    /// </summary>
    internal Tensor DecodeInto(IKeyValueStore store, Tensor ids, Tensor positions, Tensor blocked)
    {
        EnsureWeightsComplete();
        using var scope = NewDisposeScope();
        var (cos, sin) = rotary.Angles(positions, Dtype);
        return model.Forward(ids, new AttentionContext(cos, sin, blocked, store)).MoveToOuterDisposeScope();
    }

    /// <summary>Hidden states (…, H) → logits (…, V) through lm_head, or the embedding matrix when tied.</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is not null ? lm_head.forward(hidden) : FewRowLinear.Apply(hidden, model.EmbeddingWeight, bias: null);

    /// <summary>(B, T) mask → (B, T) int64 positions: 0, 1, 2, … over real tokens; padding gets 0.</summary>
    public static Tensor PositionsFromMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return (attentionMask.to(ScalarType.Int64).cumsum(1) - 1).clamp_min(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// keyMask (B, L) with L = start + steps → (B, 1, 1, steps, L) bool, true where query i (slot start + i)
    /// must not attend key slot j: j is padding, or j &gt; start + i.
    /// </summary>
    private static Tensor BlockedMask(Tensor keyMask, long start, long steps)
    {
        using var scope = NewDisposeScope();
        var padding = keyMask.logical_not().view(keyMask.shape[0], 1, 1, 1, keyMask.shape[1]);
        if (steps == 1)
            return padding.MoveToOuterDisposeScope();
        var keySlots = arange(keyMask.shape[1], device: keyMask.device).view(1, -1);
        var querySlots = arange(start, start + steps, device: keyMask.device).view(-1, 1);
        var future = (keySlots > querySlots).view(1, 1, 1, steps, -1);     // (1, 1, 1, T, L)
        return padding.logical_or(future).MoveToOuterDisposeScope();
    }

    /// <summary>Set by weight loading and initialisation: while false, every forward pass refuses to run.</summary>
    internal void MarkWeightsComplete(bool complete) => weightsComplete = complete;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Adapter?.Dispose();
            Adapter = null;
        }
        base.Dispose(disposing);
    }

    private void EnsureWeightsComplete()
    {
        if (!weightsComplete)
            throw new InvalidOperationException(
                "The model's weights are not all in place (never loaded, or a weight copy failed part-way); load them before use.");
    }
}
