using System.CommandLine;

namespace R1Actors.Cli;

/// <summary>Options shared by the commands that read configuration or write into a run folder.</summary>
public static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = "HOCON file that overrides hocon/reference.conf (e.g. hocon/default.conf)",
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override one key, e.g. --set r1.training.optimizer.lr=3e-4 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string?> RunDir(string description = "Run folder: logs, checkpoints and reports go here") => new("--run-dir")
    {
        Description = description,
    };

    /// <summary>The configuration options every configurable command carries.</summary>
    public static (Option<string?> Config, Option<string[]> Set) AddConfiguration(Command command)
    {
        var config = Config();
        var set = Set();
        command.Add(config);
        command.Add(set);
        return (config, set);
    }
}
