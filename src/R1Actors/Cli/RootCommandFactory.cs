using System.CommandLine;
using R1Actors.Commands;

namespace R1Actors.Cli;

/// <summary>Builds the <c>r1actors</c> command tree; a command-line mistake exits with code 2.</summary>
public static class RootCommandFactory
{
    public static RootCommand Create() =>
    [
        TrainCommand.Create(),
        EvalCommand.Create(),
        PretrainCommand.Create(),
        VerifyCommand.Create(),
        ReportCommand.Create(),
        BenchCommand.Create(),
    ];

    public static int Run(string[] args)
    {
        var root = Create();
        root.Description = "R1Actors: a training daemon that teaches language models to reason with reinforcement learning from verifiable rewards (GRPO, the DeepSeek-R1-Zero recipe).";
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"r1actors: {error.Message}");
            }
            Console.Error.WriteLine("Run 'r1actors --help' for the commands and their options.");
            return ExitCodes.Usage;
        }
        return parse.Invoke();
    }
}
