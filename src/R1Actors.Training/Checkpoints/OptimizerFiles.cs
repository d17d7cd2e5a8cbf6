using R1Actors.Policy.Checkpoints;
using R1Actors.Training.Optimization;
using static TorchSharp.torch;

namespace R1Actors.Training.Checkpoints;

/// <summary>What <c>optimizer.json</c> records beside the tensors: AdamW's step count and the settings it ran with.</summary>
public sealed record OptimizerCounters(long StepsApplied, AdamWSettings Settings);

/// <summary>
/// The optimizer's part of a checkpoint: <c>optimizer.safetensors</c> holds both moments (and the float32
/// master weights of a bfloat16 model) under <c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>, <c>master.NAME</c>,
/// written with the policy's safetensors writer; <c>optimizer.json</c> holds the step count.
/// </summary>
internal static class OptimizerFiles
{
    public const string TensorsFile = "optimizer.safetensors";
    public const string CountersFile = "optimizer.json";

    public static void Write(string folder, AdamWOptimizer optimizer)
    {
        var tensors = AdamWState.Tensors(optimizer)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, kv.Value))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(folder, TensorsFile), tensors);
        CheckpointJson.WriteFile(Path.Combine(folder, CountersFile), new OptimizerCounters(optimizer.StepsApplied, optimizer.Settings));
    }

    /// <summary>Restores the optimizer; returns the counters and settings the checkpoint recorded.</summary>
    public static OptimizerCounters Restore(string folder, AdamWOptimizer optimizer)
    {
        var counters = CheckpointJson.ReadFile<OptimizerCounters>(Path.Combine(folder, CountersFile));
        var path = Path.Combine(folder, TensorsFile);
        using var file = SafetensorsFile.Open(path);
        using var scope = NewDisposeScope();
        var saved = file.Entries.Keys.ToDictionary(name => name, file.Read);
        AdamWState.Restore(optimizer, saved, counters.StepsApplied, path);
        return counters;
    }
}
