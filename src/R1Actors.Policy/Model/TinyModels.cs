using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// The built-in demo policy: a Llama-shaped decoder over characters (printable ASCII and newline), about
/// 0.6M parameters at the default shape (hidden 128, 3 layers, 4 heads), tied embeddings, randomly initialised.
/// </summary>
public static class TinyModels
{
    public static CharTokenizer Tokenizer() => new(
        ["<|endoftext|>", "<|pad|>"],
        Enumerable.Range(0x20, 0x7F - 0x20).Select(c => ((char)c).ToString()).Append("\n"),
        eosToken: "<|endoftext|>", padToken: "<|pad|>", unkToken: null);

    public static ModelConfig Config(TinyModelSettings tiny, int vocabSize, int eosTokenId, int padTokenId) => new ModelConfig
    {
        Family = LlamaFamily.Instance,
        VocabSize = vocabSize,
        HiddenSize = tiny.HiddenSize,
        IntermediateSize = tiny.IntermediateSize,
        NumHiddenLayers = tiny.Layers,
        NumAttentionHeads = tiny.Heads,
        NumKeyValueHeads = tiny.KvHeads,
        HeadDim = tiny.HiddenSize / tiny.Heads,
        RmsNormEps = 1e-5,
        RopeTheta = tiny.RopeTheta,
        MaxPositionEmbeddings = tiny.MaxPositions,
        TieWordEmbeddings = true,
        InitializerRange = 0.02,
        EosTokenIds = [eosTokenId],
        BosTokenId = eosTokenId,
        PadTokenId = padTokenId,
    }.Validated("r1.model.tiny");

    /// <summary>A fresh random tiny model and its tokenizer.</summary>
    public static (CausalLanguageModel Model, CharTokenizer Tokenizer) Create(TinyModelSettings tiny, Device device, ScalarType dtype)
    {
        var tokenizer = Tokenizer();
        var config = Config(tiny, tokenizer.VocabSize, tokenizer.EosTokenId!.Value, tokenizer.PadTokenId);
        return (ModelInitializer.CreateRandom(config, dtype, device, tiny.InitSeed), tokenizer);
    }
}
