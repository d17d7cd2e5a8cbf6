using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Weights;

/// <summary>
/// An immutable copy of the policy's state (parameters and persistent buffers) at one version. The tensors
/// are detached clones that no one writes to after publication; they are freed when the store has moved on
/// to a newer version and the last reader has released its lease.
/// </summary>
public sealed class WeightSnapshot
{
    private readonly Dictionary<string, Tensor> _tensors;
    private int _references = 1;   // the store's own reference while this is the latest version

    internal WeightSnapshot(long version, Dictionary<string, Tensor> tensors)
    {
        Version = version;
        _tensors = tensors;
    }

    public long Version { get; }

    /// <summary>The tensors by state-dict name. Read only; valid while the lease that gave this snapshot is held.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>True once every reference is gone and the tensors were freed.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>Copies a module's state into fresh detached tensors that belong to no dispose scope.</summary>
    internal static WeightSnapshot Capture(nn.Module module, long version)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            using var detached = tensor.detach();
            tensors[name] = detached.clone().DetachFromDisposeScope();
        }
        return new WeightSnapshot(version, tensors);
    }

    /// <summary>
    /// Loads this snapshot into <paramref name="target"/> (a sampler's replica, possibly on another device or in
    /// another dtype). Every state-dict entry of the target must exist here with the same shape.
    /// </summary>
    public void CopyInto(nn.Module target)
    {
        using var noGrad = no_grad();
        foreach (var (name, destination) in target.state_dict())
        {
            if (!_tensors.TryGetValue(name, out var source))
                throw new InvalidOperationException($"weights version {Version} has no tensor '{name}' that the target model needs");
            if (!source.shape.SequenceEqual(destination.shape))
                throw new InvalidOperationException(
                    $"weights version {Version}: '{name}' is [{string.Join(", ", source.shape)}] but the target model has [{string.Join(", ", destination.shape)}]");
            destination.copy_(source);
        }
    }

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
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
        IsReleased = true;
    }
}
