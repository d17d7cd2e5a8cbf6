using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Policy.Tests.Reference;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Model;

// The decoder's logits against an independent numpy transcription of Hugging Face's modelling code
// (Reference/hf_decoder_reference.py), on tiny random models written by ModelFolder.Save — random biases
// and norm scales included, a left-padded batch, grouped-query attention.
public class ReferenceForwardTests
{
    private static readonly long[][] Ids = [[3, 5, 7, 11, 13, 17, 19, 23, 29, 31], [0, 0, 0, 4, 8, 15, 16, 23, 36, 2]];
    private static readonly long[][] Mask = [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]];

    public static TheoryData<string> Cases => new() { "qwen2", "qwen2-mha-tied", "qwen3-mqa", "llama-llama3-rope-biases" };

    private static ModelConfig Config(string name) => name switch
    {
        "qwen2" => TestModels.Tiny(Qwen2Family.Instance),
        "qwen2-mha-tied" => TestModels.Tiny(Qwen2Family.Instance, tied: true, kvHeads: 4) with { RopeTheta = 1_000_000 },
        "qwen3-mqa" => TestModels.Tiny(Qwen3Family.Instance, kvHeads: 1) with { HeadDim = 16, RmsNormEps = 1e-5 },
        "llama-llama3-rope-biases" => TestModels.Tiny(LlamaFamily.Instance) with
        {
            RopeScaling = new Llama3RopeScaling(8, 1, 4, 16), AttentionBias = true, MlpBias = true, RopeTheta = 500_000,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_match_the_numpy_transcription_of_hugging_face(string name)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        using var model = TestModels.RandomEverywhere(Config(name));
        ModelFolder.Save(model, folder.Path);
        File.WriteAllText(folder.File("input.json"), JsonSerializer.Serialize(new { input_ids = Ids, attention_mask = Mask }));

        PythonReference.Run("hf_decoder_reference.py", folder.Path, folder.File("input.json"), folder.File("output.json"));

        var expected = ReadLogits(folder.File("output.json"));
        var actual = model.Forward(tensor(Ids.SelectMany(r => r).ToArray(), [2, 10]), tensor(Mask.SelectMany(r => r).ToArray(), [2, 10]));
        var real = tensor(Mask.SelectMany(r => r).Select(m => m == 1).ToArray(), [2, 10]);
        var difference = (actual - expected).abs().masked_fill(real.logical_not().unsqueeze(-1), 0).max().item<float>();
        Assert.True(difference < 1e-4, $"largest logit difference from the reference: {difference}");
    }

    private static Tensor ReadLogits(string path)
    {
        var rows = JsonNode.Parse(File.ReadAllText(path))!["logits"]!.AsArray();
        var values = rows.SelectMany(row => row!.AsArray().SelectMany(step => step!.AsArray().Select(v => (float)v!.GetValue<double>())));
        return tensor(values.ToArray()).view(rows.Count, rows[0]!.AsArray().Count, -1);
    }
}
