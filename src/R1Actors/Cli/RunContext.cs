using R1Actors.Configuration;
using R1Actors.Logging;
using Serilog;

namespace R1Actors.Cli;

/// <summary>
/// What every configurable command starts with: the settings bound and validated, the run folder created,
/// the logger installed, and the effective configuration logged once and saved as
/// <c>effective.conf</c> in the run folder.
/// </summary>
public sealed class RunContext : IDisposable
{
    private RunContext(R1Settings settings, ConfigSource source, string runDirectory, StatusLine? statusLine)
    {
        StatusLine = statusLine;
        Settings = settings;
        Source = source;
        RunDirectory = runDirectory;
    }

    public R1Settings Settings { get; }

    public ConfigSource Source { get; }

    public string RunDirectory { get; }

    /// <summary>The live status line, when stdout is a terminal and the command asked for one.</summary>
    public StatusLine? StatusLine { get; }

    /// <param name="runDirectory">The run folder; null means <c>runs/&lt;r1.run.name&gt;</c>.</param>
    /// <param name="consoleToStdErr">True for commands whose stdout carries results.</param>
    /// <param name="withStatusLine">True for long-running commands that show progress on a terminal.</param>
    public static RunContext Open(string? configFile, IReadOnlyList<string> sets, string? runDirectory, bool consoleToStdErr = false, bool withStatusLine = false)
    {
        var (settings, source) = R1Settings.Load(configFile, sets);
        var directory = Path.GetFullPath(runDirectory ?? Path.Combine("runs", settings.Run.Name));
        Directory.CreateDirectory(directory);
        var statusLine = withStatusLine && StatusLine.IsTerminal ? new StatusLine(Console.Out) : null;
        Log.Logger = LogSetup.Create(settings.Logging, directory, settings.Run.Name, consoleToStdErr, statusLine);
        var effective = source.Merged.GetConfig("r1").ToString(true);
        File.WriteAllText(Path.Combine(directory, "effective.conf"), "r1 " + effective + Environment.NewLine);
        Log.ForContext("EffectiveConfiguration", effective)
            .Information("Configuration {ConfigFile} with {OverrideCount} overrides, run folder {RunDirectory}",
                source.ConfigFile ?? "(reference.conf only)", sets.Count, directory);
        return new RunContext(settings, source, directory, statusLine);
    }

    public void Dispose()
    {
        StatusLine?.Clear();
        Log.CloseAndFlush();
    }
}
