using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// Produces next-token logits for a batch being generated. <see cref="Prefill"/> reads the B left-padded
/// prompts once and fans each out to its G samples; <see cref="Next"/> feeds the token each row just drew.
/// Rows are dropped with <see cref="KeepRows"/> when they finish.
/// </summary>
internal interface IStepDecoder : IDisposable
{
    /// <summary>(B, P) prompt ids and mask → (B·G, V) logits of the first new token; row b·G + g is sample g of prompt b.</summary>
    Tensor Prefill(Tensor promptIds, Tensor promptMask, int samplesPerPrompt);

    /// <summary>(R) tokens just drawn → (R, V) logits of the next token.</summary>
    Tensor Next(Tensor tokens);

    /// <summary>Keeps the rows listed in (R') int64 <paramref name="rows"/>, in that order.</summary>
    void KeepRows(Tensor rows);
}

/// <summary>
/// Cached decoding: the prompt's keys/values are computed once (per prompt, not per sample) into a cache
/// sized for the whole generation; each step then costs one token per row.
/// </summary>
internal sealed class CachedStepDecoder(CausalLanguageModel model, int maxNewTokens, DecodeAttentionPath attention) : IStepDecoder
{
    private KvCache? cache;
    private Tensor? positions;   // (R, 1) position of the next token to feed
    private Tensor? realMask;    // (R, 1) ones

    public Tensor Prefill(Tensor promptIds, Tensor promptMask, int samplesPerPrompt)
    {
        using var scope = NewDisposeScope();
        long prompts = promptIds.shape[0], promptLength = promptIds.shape[1];
        cache = KvCache.Allocate(model.Config, prompts, promptLength + maxNewTokens, model.Dtype, model.Device, attention);
        var promptPositions = CausalLanguageModel.PositionsFromMask(promptMask);
        var hidden = model.Decode(promptIds, promptPositions, promptMask, cache);             // (B, P, H)
        var fanOut = arange(prompts, device: promptIds.device).repeat_interleave(samplesPerPrompt);   // (B·G)
        cache.KeepRows(fanOut);
        var last = hidden.narrow(1, promptLength - 1, 1).squeeze(1).index_select(0, fanOut);        // (B·G, H)
        var nextPositions = promptMask.sum(1, keepdim: true).to(ScalarType.Int64).index_select(0, fanOut);
        TensorSlot.Replace(ref positions, nextPositions);
        TensorSlot.Replace(ref realMask, ones_like(nextPositions, ScalarType.Bool));
        return model.Logits(last).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public Tensor Next(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var hidden = model.Decode(tokens.unsqueeze(1), positions!, realMask!, cache!);      // (R, 1, H)
        positions!.add_(1);
        return model.Logits(hidden.squeeze(1)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public void KeepRows(Tensor rows)
    {
        cache!.KeepRows(rows);
        TensorSlot.Replace(ref positions, positions!.index_select(0, rows));
        TensorSlot.Replace(ref realMask, realMask!.index_select(0, rows));
    }


    public void Dispose()
    {
        cache?.Dispose();
        positions?.Dispose();
        realMask?.Dispose();
    }
}

/// <summary>
/// No cache: every step runs the whole prompt + generated prefix again. Only for measuring what the cache
/// saves (<c>r1actors-bench sampling</c>).
/// </summary>
internal sealed class RecomputingStepDecoder(CausalLanguageModel model) : IStepDecoder
{
    private Tensor? ids;    // (R, T)
    private Tensor? mask;   // (R, T)

    public Tensor Prefill(Tensor promptIds, Tensor promptMask, int samplesPerPrompt)
    {
        TensorSlot.Replace(ref ids, promptIds.repeat_interleave(samplesPerPrompt, 0));
        TensorSlot.Replace(ref mask, promptMask.repeat_interleave(samplesPerPrompt, 0));
        return LastLogits();
    }

    public Tensor Next(Tensor tokens)
    {
        TensorSlot.Replace(ref ids, cat([ids!, tokens.unsqueeze(1)], 1));
        TensorSlot.Replace(ref mask, cat([mask!, ones_like(tokens).unsqueeze(1)], 1));
        return LastLogits();
    }

    public void KeepRows(Tensor rows)
    {
        TensorSlot.Replace(ref ids, ids!.index_select(0, rows));
        TensorSlot.Replace(ref mask, mask!.index_select(0, rows));
    }

    private Tensor LastLogits()
    {
        using var scope = NewDisposeScope();
        var length = ids!.shape[1];
        return model.Forward(ids, mask!, length - 1).squeeze(1).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }


    public void Dispose()
    {
        ids?.Dispose();
        mask?.Dispose();
    }
}
