using TorchSharp;
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

    /// <summary>The module that owns the parameters (for optimizers, state dicts and device moves).</summary>
    nn.Module Module { get; }
}
