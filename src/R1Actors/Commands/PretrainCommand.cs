using System.CommandLine;
using R1Actors.Cli;
using R1Actors.Policy;
using R1Actors.Pretraining;
using Serilog;

namespace R1Actors.Commands;

/// <summary><c>r1actors pretrain</c>: makes the small base model the built-in demo starts from.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var command = new Command("pretrain", "Pretrain the built-in tiny policy by supervised learning on the training split of r1.data (never on held-out prompts) until it is weak but not hopeless; writes a Hugging Face-layout folder");
        var (config, set) = CommonOptions.AddConfiguration(command);
        var output = new Option<string>("--output") { Description = "Model folder to write", Required = true };
        var runDir = CommonOptions.RunDir("Folder for the log (default: runs/pretrain)");
        command.Add(output);
        command.Add(runDir);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            using var context = RunContext.Open(parse.GetValue(config), parse.GetValue(set) ?? [], parse.GetValue(runDir) ?? Path.Combine("runs", "pretrain"));
            Log.Information("Torch: {TorchRuntime}", TorchRuntime.Configure(context.Settings.Torch.EffectiveThreads));
            var result = new Pretrainer(context.Settings, Log.Logger).RunAsync(parse.GetValue(output)!, CancellationToken.None).GetAwaiter().GetResult();
            Console.WriteLine($"pretrained {result.Steps} steps: validation accuracy {result.ValidationAccuracy:P1}, held-out accuracy {result.HeldOut.PassAt1:P1} ({result.HeldOut.Prompts} prompts) -> {result.Folder}");
            return result.ReachedTarget ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }
}
