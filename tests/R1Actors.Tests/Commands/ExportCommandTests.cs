using System.Text.Json;
using R1Actors.Cli;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model.Lora;
using static TorchSharp.torch;

namespace R1Actors.Tests.Commands;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Base => RepositoryPaths.File("models", "tiny-adder");

    /// <summary>An adapter on the shipped tiny model with small random B, saved as a checkpoint saves it (tokenizer beside it).</summary>
    private string Adapter()
    {
        var folder = Path.Combine(_dir, "adapter");
        using var model = ModelFolder.Load(Base, CPU);
        var adapter = model.AttachAdapter(new LoraSettings(4, 8, 0.0, LoraSettings.KnownModules, InitSeed: 1), AdapterFolder.BaseName(Base));
        using (no_grad())
        using (var generator = new Generator(5))
            foreach (var (name, parameter) in adapter.NamedParameters().Where(p => p.Name.EndsWith("lora_B.weight", StringComparison.Ordinal)))
                parameter.normal_(0, 0.02, generator);
        model.SaveWeights(folder);
        foreach (var file in ModelFolder.CompanionFiles(Base))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    private ExecutableRun Eval(string model, params string[] extra) =>
        InProcessCommand.Run(["eval", "--model", model, "--config", RepositoryPaths.File("hocon", "default.conf"), "--run-dir", Path.Combine(_dir, "eval"),
            "--samples", "2", "--k", "1", "--set", "r1.eval.max-prompts=60", .. extra]);

    [Fact]
    public void Merged_export_is_a_model_folder_that_eval_loads_and_scores_like_base_plus_adapter()
    {
        var adapter = Adapter();
        var merged = Path.Combine(_dir, "merged");

        var export = InProcessCommand.Run("export", "--checkpoint", adapter, "--merge", "--output", merged);

        Assert.Equal(ExitCodes.Success, export.ExitCode);
        Assert.True(File.Exists(Path.Combine(merged, "config.json")) && File.Exists(Path.Combine(merged, "model.safetensors")));
        Assert.False(AdapterFolder.IsAdapter(merged));
        Assert.Equal(ModelFolder.CompanionFiles(Base).Select(Path.GetFileName), ModelFolder.CompanionFiles(merged).Select(Path.GetFileName));
        var fromMerged = Eval(merged);
        var fromAdapter = Eval(adapter);
        Assert.Equal(ExitCodes.Success, fromMerged.ExitCode);
        Assert.Equal(ExitCodes.Success, fromAdapter.ExitCode);
        using var a = JsonDocument.Parse(fromMerged.LastLine);
        using var b = JsonDocument.Parse(fromAdapter.LastLine);
        Assert.Equal(adapter, b.RootElement.GetProperty("adapter").GetString());
        Assert.Equal(a.RootElement.GetProperty("pass@1").GetDouble(), b.RootElement.GetProperty("pass@1").GetDouble(), 2);
    }

    [Fact]
    public void An_adapter_evaluated_on_another_base_stops_with_exit_2_naming_its_config()
    {
        var adapter = Adapter();
        var otherBase = Path.Combine(_dir, "other-base");
        Directory.CreateDirectory(otherBase);
        foreach (var file in Directory.GetFiles(Base))
            File.Copy(file, Path.Combine(otherBase, Path.GetFileName(file)));

        var run = Eval(adapter, "--base", otherBase);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("adapter_config.json", run.Stderr);
        Assert.Contains("base_model_name_or_path", run.Stderr);
    }

    [Fact]
    public void Export_into_a_folder_that_holds_a_model_is_refused_with_exit_2()
    {
        var run = InProcessCommand.Run("export", "--checkpoint", Adapter(), "--merge", "--output", Base);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("already holds a model", run.Stderr);
    }
}
