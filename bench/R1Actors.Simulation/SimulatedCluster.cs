using System.Globalization;
using R1Actors.Pipeline.Contracts;

namespace R1Actors.Simulation;

/// <summary>
/// The learner node's side of a simulated cluster run: a model folder of one small file, and each version written
/// as a file of a few bytes (its number), so that sampler nodes fetch, hash-check and import something real across
/// the network without a model. <paramref name="latest"/> is the newest version the learner holds.
/// </summary>
public sealed class SimulatedWeightsSource(string modelFolder, Func<long> latest) : IClusterWeightsSource
{
    public string ModelFolder { get; } = Prepare(modelFolder);

    public ExportedWeights ExportLatest(string folder)
    {
        var version = latest();
        var path = Path.Combine(folder, $"weights-v{version.ToString(CultureInfo.InvariantCulture)}.txt");
        File.WriteAllText(path, version.ToString(CultureInfo.InvariantCulture));
        return new ExportedWeights(version, IsAdapter: false, path);
    }

    private static string Prepare(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"model_type": "simulated"}""");
        return folder;
    }
}

/// <summary>
/// A sampler node's side of a simulated cluster run: its devices are <see cref="SimulatedSampler"/>s of the given
/// costs (they take each version as the agent publishes it), and an imported weights file must hold the version it
/// is said to be. No settings to share with the learner: the compatibility table is empty on both sides.
/// </summary>
public sealed class SimulatedNodePorts(SimulatedDeviceCosts costs) : ISamplerNodePorts
{
    /// <summary>The settings a simulated learner and its nodes share: none.</summary>
    public static readonly IReadOnlyDictionary<string, string> SharedSettings = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Compatibility => SharedSettings;

    public ISamplerPortFactory OpenModel(string folder) =>
        File.Exists(Path.Combine(folder, "config.json"))
            ? new SimulatedSamplerFactory(costs)
            : throw new FileNotFoundException($"the model folder {folder} has no config.json: the transfer lost it");

    public void ImportWeights(string file, long version, bool isAdapter)
    {
        var held = File.ReadAllText(file);
        if (held != version.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"weights file {file} holds version {held}, offered as v{version}");
    }
}
