using static TorchSharp.torch;

namespace R1Actors.Training.Optimization;

/// <summary>Naming of the optimizer's tensors in a checkpoint, and restoring them.</summary>
public static class AdamWState
{
    public const string ExpAvgPrefix = "exp_avg.";
    public const string ExpAvgSqPrefix = "exp_avg_sq.";
    public const string MasterPrefix = "master.";

    /// <summary>
    /// The optimizer's live state tensors by checkpoint name (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c> and,
    /// for non-float32 models, <c>master.NAME</c>). The tensors belong to the optimizer: read, do not dispose.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Tensors(AdamWOptimizer optimizer)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in optimizer.Parameters)
        {
            tensors[ExpAvgPrefix + p.Name] = p.ExpAvg;
            tensors[ExpAvgSqPrefix + p.Name] = p.ExpAvgSq;
            if (p.Master is { } master)
                tensors[MasterPrefix + p.Name] = master;
        }
        return tensors;
    }

    /// <summary>
    /// Copies saved state into the optimizer (and master weights into the model). Every expected tensor must
    /// be present with the right shape; <paramref name="source"/> names where the tensors came from, for errors.
    /// </summary>
    public static void Restore(AdamWOptimizer optimizer, IReadOnlyDictionary<string, Tensor> saved, long stepsApplied, string source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepsApplied);
        using var noGrad = no_grad();
        foreach (var (name, live) in Tensors(optimizer))
        {
            if (!saved.TryGetValue(name, out var tensor))
                throw new InvalidDataException($"{source}: optimizer tensor '{name}' is missing");
            if (!tensor.shape.SequenceEqual(live.shape))
                throw new InvalidDataException(
                    $"{source}: optimizer tensor '{name}' has shape [{string.Join(", ", tensor.shape)}], the model needs [{string.Join(", ", live.shape)}]");
            if (tensor.dtype != live.dtype)
                throw new InvalidDataException($"{source}: optimizer tensor '{name}' is {tensor.dtype}, expected {live.dtype}");
            live.copy_(tensor);
        }
        foreach (var p in optimizer.Parameters)
        {
            if (p.Master is { } master)
                p.Parameter.copy_(master);
        }
        optimizer.RestoreStepsApplied(stepsApplied);
    }
}
