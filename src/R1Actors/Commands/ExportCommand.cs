using System.CommandLine;
using R1Actors.Cli;
using R1Actors.Policy.Checkpoints;

namespace R1Actors.Commands;

/// <summary><c>r1actors export</c>: a checkpoint out as a model folder, a LoRA adapter merged into its base with <c>--merge</c>.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Write a checkpoint as a Hugging Face model folder with its tokenizer; a LoRA checkpoint is merged into its base (W + scaling·B·A) with --merge, else written as a PEFT adapter folder");
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint (or model or adapter) folder, e.g. runs/NAME/checkpoints/checkpoint-500", Required = true };
        var output = new Option<string>("--output") { Description = "Folder to write (must not hold a model yet)", Required = true };
        var merge = new Option<bool>("--merge") { Description = "Fold a LoRA adapter into the base weights: a plain Hugging Face model folder" };
        var baseModel = new Option<string?>("--base") { Description = "The adapter's base model folder (default: base_model_name_or_path of its adapter_config.json)" };
        command.Add(checkpoint);
        command.Add(output);
        command.Add(merge);
        command.Add(baseModel);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var source = parse.GetValue(checkpoint)!;
            if (!Directory.Exists(source))
                throw new UsageException($"--checkpoint {source}: no such folder");
            var target = parse.GetValue(output)!;
            if (File.Exists(Path.Combine(target, ModelFolder.ConfigFile)) || AdapterFolder.IsAdapter(target))
                throw new UsageException($"--output {target} already holds a model; choose a new folder");
            var result = ModelExport.Write(source, parse.GetValue(baseModel), parse.GetValue(merge), parse.GetValue(output)!);
            Console.WriteLine($"{(result.Merged ? "merged adapter and base" : "exported")} {source} -> {parse.GetValue(output)}: {string.Join(", ", result.Files)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
