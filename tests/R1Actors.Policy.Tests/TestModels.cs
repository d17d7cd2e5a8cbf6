using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests;

/// <summary>Tiny configs of each family, small enough that a forward pass takes milliseconds.</summary>
internal static class TestModels
{
    public static ModelConfig Tiny(IModelFamily family, bool tied = false, int kvHeads = 2) => new ModelConfig
    {
        Family = family,
        VocabSize = 40,
        HiddenSize = 32,
        IntermediateSize = 48,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = kvHeads,
        HeadDim = 8,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        MaxPositionEmbeddings = 128,
        TieWordEmbeddings = tied,
        InitializerRange = 0.2,
        BosTokenId = 1,
        EosTokenIds = [2],
        PadTokenId = 0,
    }.Validated("test");

    public static CausalLanguageModel Random(ModelConfig config, long seed = 7, ScalarType dtype = ScalarType.Float32) =>
        ModelInitializer.CreateRandom(config, dtype, CPU, seed);

    /// <summary>Random biases and norm scales too, so that tests see them matter (the initializer sets them to 0 and 1).</summary>
    public static CausalLanguageModel RandomEverywhere(ModelConfig config, long seed = 7)
    {
        var model = Random(config, seed);
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed + 1, CPU);
        foreach (var (name, parameter) in model.named_parameters())
            if (name.EndsWith(".bias", StringComparison.Ordinal) || name.EndsWith("norm.weight", StringComparison.Ordinal))
                parameter.normal_(name.EndsWith(".bias", StringComparison.Ordinal) ? 0 : 1, 0.3, generator);
        return model;
    }
}

/// <summary>A fresh folder under the system temp dir, deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("r1actors-policy-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
