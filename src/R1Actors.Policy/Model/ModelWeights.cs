using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// A detached copy of a model's parameters by Hugging Face name: the unit of the versioned weight hand-off
/// from the learner to the samplers. Taking a snapshot copies (so later optimizer steps do not leak into
/// it); <see cref="CopyInto"/> checks every name and shape before writing any weight, and a target whose
/// copy fails part-way refuses to run until weights are loaded again — a half-copied replica is never used.
/// The snapshot owns its tensors; dispose it when every replica has taken its copy.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private ModelWeights(Dictionary<string, Tensor> tensors) => this.tensors = tensors;

    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>Copies the parameters of <paramref name="module"/> into fresh detached tensors that belong to no dispose scope.</summary>
    public static ModelWeights Snapshot(nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var copies = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in module.named_parameters())
            copies[name] = parameter.detach().clone().DetachFromDisposeScope();
        return new ModelWeights(copies);
    }

    /// <summary>Wraps tensors the caller hands over (e.g. read from a checkpoint); the snapshot takes ownership.</summary>
    public static ModelWeights FromTensors(IReadOnlyDictionary<string, Tensor> named) =>
        new(named.ToDictionary(kv => kv.Key, kv => kv.Value.detach().DetachFromDisposeScope()));

    /// <summary>Writes these weights into <paramref name="target"/> (any device or dtype: values are converted).</summary>
    public void CopyInto(CausalLanguageModel target)
    {
        WeightMatching.Check(target, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape), _ => "the snapshot", "weight snapshot");
        using var noGrad = no_grad();
        target.MarkWeightsComplete(false);
        foreach (var (name, parameter) in target.named_parameters())
            parameter.copy_(tensors[name]);
        target.MarkWeightsComplete(true);
    }

    public void Dispose()
    {
        foreach (var t in tensors.Values)
            t.Dispose();
    }
}
