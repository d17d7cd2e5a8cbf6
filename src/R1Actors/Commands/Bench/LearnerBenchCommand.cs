using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands.Bench;

/// <summary><c>r1actors bench learner</c>.</summary>
public static class LearnerBenchCommand
{
    public static Command Create()
    {
        var command = new Command("learner", "Learner tokens/s and achieved GFLOP/s for the tiny and a Qwen2.5-0.5B-shaped model against the matmul ceiling");
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("bench learner")));
        return command;
    }
}
