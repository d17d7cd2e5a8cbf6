namespace R1Actors.Pipeline.Contracts;

// The ports of a cluster run. The learner node exports the model folder and each weights version as files that
// the pipeline streams to sampler nodes; a sampler node imports them into its own weight store. The executable
// implements both with R1Actors.Policy / R1Actors.Training (safetensors files), tests with plain files.

/// <summary>A weights version written to a file for sampler nodes.</summary>
public sealed record ExportedWeights(long Version, bool IsAdapter, string Path);

/// <summary>The learner node's side: what sampler nodes fetch.</summary>
public interface IClusterWeightsSource
{
    /// <summary>The base model folder every sampler loads (config, tokenizer, weights); its files are sent as they are.</summary>
    string ModelFolder { get; }

    /// <summary>
    /// Writes the newest published version into <paramref name="folder"/> (a file of its own name) and says which
    /// version it is. Called on the weights server's own thread, never the learner's.
    /// </summary>
    ExportedWeights ExportLatest(string folder);
}

/// <summary>A sampler node's side: the model it fetched, and the versions it receives.</summary>
public interface ISamplerNodePorts
{
    /// <summary>
    /// The model folder has arrived at <paramref name="folder"/>: make the factory of this node's sampler ports. Their
    /// weights come from what <see cref="ImportWeights"/> imports.
    /// </summary>
    ISamplerPortFactory OpenModel(string folder);

    /// <summary>Makes the weights in <paramref name="file"/> version <paramref name="version"/> for this node's samplers.</summary>
    void ImportWeights(string file, long version, bool isAdapter);

    /// <summary>The settings that must be the same on the learner and every sampler node, by key, rendered.</summary>
    IReadOnlyDictionary<string, string> Compatibility { get; }
}
