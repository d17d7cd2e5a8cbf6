using System.CommandLine;

namespace R1Actors.Cli;

/// <summary>Builds the <c>r1actors</c> command tree and maps outcomes to exit codes.</summary>
public static class RootCommandFactory
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("R1Actors: reinforcement learning from verifiable rewards (GRPO), as a daemon.");
        var parse = root.Parse(args);
        return parse.Invoke();
    }
}
