using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands;

/// <summary><c>r1actors pretrain</c>: makes the small base model the built-in demo starts from.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var command = new Command("pretrain", "Pretrain a small base policy by supervised learning on the built-in task, never on held-out prompts; writes a Hugging Face-layout folder");
        CommonOptions.AddConfiguration(command);
        command.Add(new Option<string>("--output") { Description = "Model folder to write", Required = true });
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("pretrain")));
        return command;
    }
}
