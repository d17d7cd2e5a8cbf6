using System.CommandLine;
using R1Actors.Commands;

namespace R1Actors.Cli;

/// <summary>Builds the <c>r1actors</c> command tree; a command-line mistake exits with code 2.</summary>
public static class RootCommandFactory
{
    public static RootCommand Create() =>
    [
        TrainCommand.Create(),
        SamplerCommand.Create(),
        EvalCommand.Create(),
        PretrainCommand.Create(),
        ExportCommand.Create(),
        VerifyCommand.Create(),
        ReportCommand.Create(),
        CompareCommand.Create(),
    ];

    public static int Run(string[] args)
    {
        var root = Create();
        root.Description = "R1Actors: a training daemon that teaches language models to reason with reinforcement learning from verifiable rewards (GRPO, the DeepSeek-R1-Zero recipe).";
        return Run(root, "r1actors", args);
    }

    /// <summary>Parses and invokes one executable's command tree (<c>r1actors</c>, <c>r1actors-bench</c>).</summary>
    public static int Run(RootCommand root, string executable, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"{executable}: {error.Message}");
            }
            Console.Error.WriteLine($"Run '{executable} --help' for the commands and their options.");
            return ExitCodes.Usage;
        }
        return parse.Invoke();
    }
}
