using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands;

/// <summary><c>r1actors eval</c>: pass@1 and pass@k on a held-out set.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a model folder: pass@1 and pass@k (unbiased estimator) with N samples per held-out prompt; the last line is JSON");
        command.Add(new Option<string>("--model") { Description = "Hugging Face-layout model folder (config.json, model.safetensors, tokenizer)", Required = true });
        CommonOptions.AddConfiguration(command);
        command.Add(new Option<int?>("--samples") { Description = "Samples per prompt (N)" });
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("eval")));
        return command;
    }
}
