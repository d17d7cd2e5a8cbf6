using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands;

/// <summary><c>r1actors verify</c>: scores a JSONL file of completions offline.</summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "Score completions offline (math, countdown, code, format) to check a dataset or a reward setting");
        command.Add(new Option<string>("--input") { Description = "JSONL file, one {task, completion, ...} object a line", Required = true });
        command.Add(new Option<string?>("--output") { Description = "JSONL file for one {score, components, reason} line per input line" });
        command.Add(new Option<bool>("--with-format") { Description = "Add the format component as training would" });
        CommonOptions.AddConfiguration(command);
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("verify")));
        return command;
    }
}
