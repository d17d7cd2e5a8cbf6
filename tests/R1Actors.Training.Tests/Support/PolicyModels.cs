using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Support;

/// <summary>The policy's own decoder at a size where a training step takes milliseconds.</summary>
internal static class PolicyModels
{
    public static ModelConfig TinyLlama(int hidden = 32) => new ModelConfig
    {
        Family = LlamaFamily.Instance,
        VocabSize = 24,
        HiddenSize = hidden,
        IntermediateSize = 2 * hidden,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = hidden / 4,
        MaxPositionEmbeddings = 64,
        InitializerRange = 0.2,
        EosTokenIds = [2],
        PadTokenId = 0,
    }.Validated("training tests");

    public static CausalLanguageModel Random(long seed = 7, ScalarType dtype = ScalarType.Float32, int hidden = 32) =>
        ModelInitializer.CreateRandom(TinyLlama(hidden), dtype, CPU, seed);
}
