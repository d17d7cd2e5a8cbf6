using R1Actors.Pipeline.Contracts;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Policy.Settings;
using R1Actors.Daemon;
using R1Actors.Training.Weights;

namespace R1Actors.Adapters;

/// <summary>
/// The learner node's weights for sampler nodes: the newest version in the learner's <see cref="WeightStore"/> written
/// as a safetensors file (every weight, or a LoRA adapter's alone, in the dtype it was published in), named by version.
/// </summary>
public sealed class ClusterWeightsSource(string modelFolder, WeightStore weights) : IClusterWeightsSource
{
    public string ModelFolder => modelFolder;

    public ExportedWeights ExportLatest(string folder)
    {
        using var lease = weights.Acquire();
        var snapshot = lease.Snapshot;
        var path = Path.Combine(folder, $"weights-v{lease.Version}.safetensors");
        if (!File.Exists(path))
        {
            SafetensorsWriter.Write(path, [.. snapshot.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))],
                new Dictionary<string, string> { ["r1actors.version"] = lease.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                durable: false);
        }
        return new ExportedWeights(lease.Version, snapshot.Weights.IsAdapter, path);
    }
}

/// <summary>
/// A sampler node's ports: the model folder it fetched, loaded per device as a single process would (the same
/// <see cref="SamplerPortFactory"/>), and a weight store of its own that each received version is published to.
/// Each membership opens the model again with a fresh store: a learner that resumed from a checkpoint may number
/// its versions from an older one.
/// </summary>
public sealed class SamplerNodePorts(ModelSettings model, TokenizerSettings tokenizer, SamplingSettings sampling,
    Policy.Model.Lora.LoraSettings? lora, IReadOnlyDictionary<string, string> compatibility) : ISamplerNodePorts, IDisposable
{
    private WeightStore? _store;

    public IReadOnlyDictionary<string, string> Compatibility => compatibility;

    public ISamplerPortFactory OpenModel(string folder)
    {
        var store = new WeightStore();
        Interlocked.Exchange(ref _store, store)?.Dispose();
        return new SamplerPortFactory(model with { Path = folder }, tokenizer, sampling, store, lora);
    }

    public void ImportWeights(string file, long version, bool isAdapter)
    {
        var store = _store ?? throw new InvalidOperationException("weights arrived before the model folder was opened");
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var safetensors = SafetensorsFile.Open(file);
        var tensors = safetensors.Entries.Keys.ToDictionary(name => name, safetensors.Read, StringComparer.Ordinal);
        store.Publish(ModelWeights.FromTensors(tensors, isAdapter), version);
    }

    public void Dispose() => Interlocked.Exchange(ref _store, null)?.Dispose();
}
