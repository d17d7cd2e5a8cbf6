using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// The seam between the policy and the learner: a decoder that maps token ids to next-token logits.
/// Positions are derived from the mask (cumsum − 1), so left-padded rows see the positions they would
/// see alone.
/// </summary>
public interface ICausalLanguageModel
{
    /// <summary>(B, T) int64 ids, (B, T) mask with 1 for real tokens and 0 for padding → (B, T, V) logits.</summary>
    Tensor Forward(Tensor inputIds, Tensor attentionMask);

    /// <summary>
    /// Logits of positions <paramref name="start"/>…T−1 only: (B, T − start, V). Scoring completions needs the
    /// logits of the completion alone; implementations override this to skip the output head (the largest
    /// matmul, with a 150k vocabulary) for the prompt.
    /// </summary>
    Tensor Forward(Tensor inputIds, Tensor attentionMask, long start) =>
        Forward(inputIds, attentionMask).narrow(1, start, inputIds.shape[1] - start);

    /// <summary>
    /// Sequences packed back to back without padding → logits (N, V) of the packed positions <paramref name="rows"/>
    /// (N) int64. Positions restart per sequence and attention stays within each sequence, so a sequence's logits
    /// are those it gets alone, to float rounding.
    /// </summary>
    /// <exception cref="NotSupportedException">This model runs padded batches only.</exception>
    Tensor ForwardPacked(PackedSequences packed, Tensor rows) =>
        throw new NotSupportedException($"{GetType().Name} cannot run packed sequences; set r1.training.optimizer.packed-sequences = false");

    /// <summary>The module that owns the parameters (for optimizers, state dicts and device moves).</summary>
    nn.Module Module { get; }

    /// <summary>
    /// Writes the weights, and what describes them, into the existing <paramref name="folder"/>: for the
    /// policy's decoders a Hugging Face model folder (<c>config.json</c>, <c>model.safetensors</c>) that other tools load,
    /// or, for a decoder with a LoRA adapter, the adapter in PEFT's layout.
    /// </summary>
    void SaveWeights(string folder);

    /// <summary>What an optimizer trains, by name: every parameter, or only a LoRA adapter's.</summary>
    IEnumerable<(string Name, Parameter Parameter)> TrainableParameters() => Module.named_parameters();

    /// <summary>A detached copy of what a new version hands to the samplers: every weight, or only a LoRA adapter's.</summary>
    ModelWeights PublishedWeights() => ModelWeights.Snapshot(Module);
}
