using static TorchSharp.torch;

namespace R1Actors.Policy.Model.Lora;

/// <summary>
/// A model with a LoRA adapter, seen with the adapter switched off: the frozen base. The KL reference of a LoRA
/// run is this view rather than a second copy of the base (which, with the adapter off, it would equal exactly).
/// Not thread-safe, like the model: the switch is the model's own, flipped for the length of each call.
/// </summary>
internal sealed class AdapterDisabledModel(CausalLanguageModel model) : ICausalLanguageModel
{
    public nn.Module Module => model;

    public Tensor Forward(Tensor inputIds, Tensor attentionMask)
    {
        using var off = Disable();
        return model.Forward(inputIds, attentionMask);
    }

    public Tensor Forward(Tensor inputIds, Tensor attentionMask, long start)
    {
        using var off = Disable();
        return model.Forward(inputIds, attentionMask, start);
    }

    public Tensor ForwardPacked(PackedSequences packed, Tensor rows)
    {
        using var off = Disable();
        return model.ForwardPacked(packed, rows);
    }

    public void SaveWeights(string folder) =>
        throw new InvalidOperationException("the adapter-less view of a model is a reference, never saved");

    private IDisposable Disable() =>
        model.Adapter?.Disable() ?? throw new InvalidOperationException("the model's LoRA adapter was removed");
}
