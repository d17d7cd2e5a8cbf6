using System.Text.Json;
using R1Actors.Cli;
using R1Actors.Configuration;
using R1Actors.Policy;
using R1Actors.Pretraining;

namespace R1Actors.Tests.Pretraining;

public sealed class PretrainAndEvalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-pretrain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Pretraining_writes_a_loadable_model_folder_with_its_provenance()
    {
        var (settings, _) = R1Settings.Load(RepositoryPaths.File("hocon", "default.conf"),
        [
            "r1.model.path=\"\"", "r1.model.tiny.hidden-size=32", "r1.model.tiny.layers=1", "r1.model.tiny.intermediate-size=64",
            "r1.pretrain.max-steps=12", "r1.pretrain.eval-every=6", "r1.pretrain.batch-size=16", "r1.pretrain.validation-prompts=32",
            "r1.pretrain.target-accuracy=0.99", "r1.data.held-out-count=40",
        ]);
        var folder = Path.Combine(_dir, "base");
        var result = await new Pretrainer(settings, Serilog.Core.Logger.None).RunAsync(folder, CancellationToken.None);

        Assert.Equal(12, result.Steps);
        Assert.False(result.ReachedTarget);                   // 12 steps cannot make a 99 % adder
        Assert.Equal(40, result.HeldOut.Prompts);
        using var provenance = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pretrain.json")));
        Assert.Equal(12, provenance.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(result.HeldOut.PassAt1, provenance.RootElement.GetProperty("held_out_accuracy").GetDouble());
        using var replica = PolicyReplica.Load(settings.Model with { Path = folder }, settings.Tokenizer, "cpu");
        Assert.Equal(32, replica.Model.Config.HiddenSize);
        Assert.Equal(["<|endoftext|>1+2="], [replica.Tokenizer.Decode(replica.EncodePrompt("1+2="))]);
    }

    [Fact]
    public void The_shipped_base_model_is_weak_but_not_hopeless_and_eval_ends_with_json()
    {
        var run = InProcessCommand.Run("eval", "--model", RepositoryPaths.File("models", "tiny-adder"),
            "--config", RepositoryPaths.File("hocon", "default.conf"), "--run-dir", _dir, "--samples", "4", "--k", "1", "4",
            "--set", "r1.eval.max-prompts=200");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var json = JsonDocument.Parse(run.LastLine);
        var passAt1 = json.RootElement.GetProperty("pass@1").GetDouble();
        var passAt4 = json.RootElement.GetProperty("pass@4").GetDouble();
        Assert.Equal(200, json.RootElement.GetProperty("prompts").GetInt32());
        Assert.InRange(passAt1, 0.20, 0.50);                 // the demo needs a base that sometimes earns a reward
        Assert.True(passAt4 > passAt1);
    }
}
