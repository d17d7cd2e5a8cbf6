using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;
using R1Actors.Policy.Tests.Model.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Checkpoints;

public class ModelExportTests
{
    private static readonly LoraSettings Settings = new(4, 16, 0.0, LoraSettings.KnownModules, InitSeed: 2);

    private static Tensor Ids() => tensor(new long[] { 1, 5, 9, 3, 7, 2, 8, 4 }, [2, 4]);

    private static Tensor Mask() => tensor(new long[] { 0, 1, 1, 1, 1, 1, 1, 1 }, [2, 4]);

    /// <summary>A base folder, and a checkpoint-like folder with a trained (perturbed) adapter on it and the tokenizer file.</summary>
    private static Tensor Prepare(TempFolder baseFolder, TempFolder checkpoint)
    {
        using var trained = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        ModelFolder.Save(trained, baseFolder.Path);
        LoraAdapterTests.Perturb(trained.AttachAdapter(Settings, AdapterFolder.BaseName(baseFolder.Path)));
        trained.SaveWeights(checkpoint.Path);
        File.WriteAllText(checkpoint.File("tokenizer.json"), "{}");
        trained.eval();
        return trained.Forward(Ids(), Mask()).detach().MoveToOuterDisposeScope();
    }

    [Fact]
    public void Merged_export_gives_the_logits_of_base_plus_adapter_and_carries_the_tokenizer()
    {
        using var scope = NewDisposeScope();
        using var baseFolder = new TempFolder();
        using var checkpoint = new TempFolder();
        using var output = new TempFolder();
        var adapted = Prepare(baseFolder, checkpoint);

        var result = ModelExport.Write(checkpoint.Path, baseFolder: null, merge: true, output.Path);

        Assert.True(result.Merged);
        Assert.Equal(["config.json", "model.safetensors", "tokenizer.json"], result.Files);
        using var merged = ModelFolder.Load(output.Path, CPU);
        Assert.Null(merged.Adapter);
        var difference = (merged.Forward(Ids(), Mask()) - adapted).abs().max().ToDouble();
        Assert.True(difference <= 1e-5, $"merged logits differ from base + adapter by {difference}");
        using var plainBase = ModelFolder.Load(baseFolder.Path, CPU);
        Assert.True((plainBase.Forward(Ids(), Mask()) - adapted).abs().max().ToDouble() > 1e-3, "the adapter changed the model");
    }

    [Fact]
    public void Export_without_merge_writes_the_adapter_in_peft_layout_alone()
    {
        using var scope = NewDisposeScope();
        using var baseFolder = new TempFolder();
        using var checkpoint = new TempFolder();
        using var output = new TempFolder();
        File.WriteAllText(checkpoint.File("optimizer.json"), "{}");
        var adapted = Prepare(baseFolder, checkpoint);

        var result = ModelExport.Write(checkpoint.Path, baseFolder.Path, merge: false, output.Path);

        Assert.False(result.Merged);
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors", "tokenizer.json"], result.Files);
        using var reloaded = AdapterFolder.LoadWithBase(output.Path, baseFolder.Path, CPU);
        reloaded.eval();
        Assert.True(LoraAdapterTests.Same(adapted, reloaded.Forward(Ids(), Mask())));
    }
}
