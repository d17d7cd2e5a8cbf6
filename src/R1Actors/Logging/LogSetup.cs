using R1Actors.Configuration.Sections;
using Serilog;
using Serilog.Core;
using Serilog.Formatting.Compact;

namespace R1Actors.Logging;

/// <summary>
/// Builds the run's Serilog logger: the console (human-readable), a rolling CLEF file in the run folder
/// (always; <c>r1actors report</c> and Seq's import read it) and, when <c>r1.logging.seq.url</c> is set, Seq
/// through a durable on-disk buffer, so a Seq outage loses no event and never blocks the caller.
/// Property names are PascalCase and stable: Seq queries and dashboards depend on them.
/// </summary>
public static class LogSetup
{
    public const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <param name="consoleToStdErr">True for commands whose stdout carries results (verify, eval).</param>
    /// <param name="statusLine">When given, the console goes through it (an interactive terminal).</param>
    public static Logger Create(LoggingSettings settings, string runDirectory, string runName, bool consoleToStdErr = false, StatusLine? statusLine = null)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(settings.Level)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Run", runName);

        if (settings.Console && statusLine is not null)
        {
            configuration.WriteTo.Sink(statusLine);
        }
        else if (settings.Console)
        {
            configuration.WriteTo.Console(
                outputTemplate: ConsoleTemplate,
                standardErrorFromLevel: consoleToStdErr ? Serilog.Events.LogEventLevel.Verbose : Serilog.Events.LogEventLevel.Error,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        configuration.WriteTo.File(
            new CompactJsonFormatter(),
            Path.Combine(runDirectory, settings.FilePath),
            fileSizeLimitBytes: settings.FileRollBytes,
            rollOnFileSizeLimit: true,
            retainedFileCountLimit: settings.RetainedFiles,
            flushToDiskInterval: TimeSpan.FromSeconds(1));

        if (settings.Seq is { } seq)
        {
            configuration.WriteTo.Seq(
                seq.Url,
                apiKey: seq.ApiKey,
                bufferBaseFilename: Path.Combine(runDirectory, seq.BufferPath),
                bufferSizeLimitBytes: seq.BufferSizeLimitBytes,
                period: seq.Period,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }
        return configuration.CreateLogger();
    }
}
