using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// A detached copy of a model's parameters by Hugging Face name: the unit of the versioned weight hand-off
/// from the learner to the samplers. Taking a snapshot copies (so later optimizer steps do not leak into
/// it); <see cref="CopyInto"/> checks every name and shape before writing any weight, and a target whose
/// copy fails part-way refuses to run until weights are loaded again — a half-copied replica is never used.
/// The snapshot owns its tensors; dispose it when every replica has taken its copy.
/// A snapshot of a model with a LoRA adapter holds the adapter's tensors alone (<see cref="IsAdapter"/>): the base
/// is frozen and every replica already holds it, so a new version moves only the adapter.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private ModelWeights(Dictionary<string, Tensor> tensors, bool isAdapter)
    {
        this.tensors = tensors;
        IsAdapter = isAdapter;
    }

    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>True when these are a LoRA adapter's tensors, which go into a replica's adapter, not its base.</summary>
    public bool IsAdapter { get; }

    /// <summary>The bytes these tensors occupy: what one publication of a version copies.</summary>
    public long ByteSize => tensors.Values.Sum(t => Checkpoints.SafetensorsWriter.ByteSize(t));

    /// <summary>
    /// Copies the parameters of <paramref name="module"/> (or, for a model with a LoRA adapter, the adapter's) into
    /// fresh detached tensors that belong to no dispose scope.
    /// </summary>
    /// <remarks>An adapter whose settings publish bfloat16 (<see cref="Lora.LoraSettings.PublishBfloat16"/>) is copied rounded to bfloat16.</remarks>
    public static ModelWeights Snapshot(nn.Module module)
    {
        var adapter = (module as CausalLanguageModel)?.Adapter;
        var named = adapter?.NamedParameters() ?? module.named_parameters();
        var rounded = adapter is { Settings.PublishBfloat16: true };
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var copies = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in named)
        {
            var copy = rounded && parameter.dtype != ScalarType.BFloat16 ? parameter.detach().to(ScalarType.BFloat16) : parameter.detach().clone();
            copies[name] = copy.DetachFromDisposeScope();
        }
        return new ModelWeights(copies, adapter is not null);
    }

    /// <summary>
    /// Wraps tensors the caller hands over (e.g. read from a checkpoint, or a version a sampler node received: a LoRA
    /// adapter's alone when <paramref name="isAdapter"/>); the snapshot takes ownership.
    /// </summary>
    public static ModelWeights FromTensors(IReadOnlyDictionary<string, Tensor> named, bool isAdapter = false) =>
        new(named.ToDictionary(kv => kv.Key, kv => kv.Value.detach().DetachFromDisposeScope()), isAdapter);

    /// <summary>
    /// Writes these weights into <paramref name="target"/> (any device or dtype: values are converted): into its
    /// base, or for an adapter snapshot into its adapter, which must have the same names and shapes.
    /// </summary>
    public void CopyInto(CausalLanguageModel target)
    {
        var provided = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> destination;
        if (IsAdapter)
        {
            var adapter = target.Adapter ?? throw new ModelFormatException(
                "weight snapshot: the snapshot is a LoRA adapter but the replica has none (r1.training.lora.enabled must be the same for the learner and the samplers)");
            WeightMatching.CheckAdapter(adapter, provided, _ => "the snapshot", "weight snapshot");
            destination = adapter.NamedParameters();
        }
        else
        {
            WeightMatching.Check(target, provided, _ => "the snapshot", "weight snapshot");
            destination = target.named_parameters();
        }
        using var noGrad = no_grad();
        target.MarkWeightsComplete(false);
        foreach (var (name, parameter) in destination)
            parameter.copy_(tensors[name]);
        target.MarkWeightsComplete(true);
    }

    public void Dispose()
    {
        foreach (var t in tensors.Values)
            t.Dispose();
    }
}
