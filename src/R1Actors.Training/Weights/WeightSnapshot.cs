using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Training.Weights;

/// <summary>
/// One published version of the policy's weights: a <see cref="ModelWeights"/> copy (detached clones of every
/// parameter, by Hugging Face name) that nobody writes to after publication, with the reference count that
/// decides when it is freed — once the store has moved on to a newer version and the last reader has
/// released its lease.
/// </summary>
public sealed class WeightSnapshot
{
    private int _references = 1;   // the store's own reference while this is the latest version

    private WeightSnapshot(long version, ModelWeights weights)
    {
        Version = version;
        Weights = weights;
    }

    public long Version { get; }

    /// <summary>The weights. Read only; valid while the lease that gave this snapshot is held.</summary>
    public ModelWeights Weights { get; }

    /// <summary>The tensors by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => Weights.Tensors;

    /// <summary>True once every reference is gone and the tensors were freed.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>Takes ownership of a fresh copy of the weights (see <see cref="ModelWeights.Snapshot"/>).</summary>
    internal static WeightSnapshot Wrap(ModelWeights weights, long version) => new(version, weights);

    /// <summary>
    /// Loads this version into a sampler's replica (any device or dtype). The policy's copy checks every name
    /// and shape first, and a replica whose copy fails part-way refuses to run until loaded again.
    /// </summary>
    public void CopyInto(CausalLanguageModel replica) => Weights.CopyInto(replica);

    /// <summary>Takes a reference; false when the snapshot was already freed.</summary>
    internal bool TryRetain()
    {
        if (_references == 0)
            return false;
        _references++;
        return true;
    }

    /// <summary>Drops a reference (caller holds the store's lock); frees the tensors when it was the last.</summary>
    internal void Release()
    {
        if (_references <= 0)
            throw new InvalidOperationException($"weights version {Version} was released more often than it was retained");
        if (--_references > 0)
            return;
        Weights.Dispose();
        IsReleased = true;
    }
}
