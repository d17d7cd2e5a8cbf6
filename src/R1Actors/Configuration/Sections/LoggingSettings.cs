using Serilog.Events;

namespace R1Actors.Configuration.Sections;

/// <summary><c>r1.logging</c>: console, the run's CLEF file and, when a URL is set, Seq.</summary>
public sealed record LoggingSettings(
    LogEventLevel Level,
    bool Console,
    string FilePath,
    long FileRollBytes,
    int RetainedFiles,
    SeqSettings? Seq)
{
    private static readonly string[] Levels = Enum.GetNames<LogEventLevel>();

    public static LoggingSettings Bind(SettingsReader r)
    {
        var url = r.OptionalString("r1.logging.seq.url");
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw r.Fail("r1.logging.seq.url", $"expected an http:// or https:// URL such as \"http://localhost:5341\", got \"{url}\"");
        }
        var seq = new SeqSettings(
            url ?? "",
            r.OptionalString("r1.logging.seq.api-key"),
            r.String("r1.logging.seq.buffer", allowEmpty: false),
            TimeSpan.FromMilliseconds(r.Int("r1.logging.seq.period-ms", min: 10, max: 3_600_000)),
            r.Long("r1.logging.seq.buffer-size-limit-mb", min: 1) * 1024 * 1024);
        return new LoggingSettings(
            Enum.Parse<LogEventLevel>(r.OneOf("r1.logging.level", Levels)),
            r.Bool("r1.logging.console"),
            r.String("r1.logging.file.path", allowEmpty: false),
            r.Long("r1.logging.file.roll-size-mb", min: 1) * 1024 * 1024,
            r.Int("r1.logging.file.retained-files", min: 1),
            url is null ? null : seq);
    }
}

/// <summary><c>r1.logging.seq</c>: where Seq is, and the on-disk buffer that rides out its outages.</summary>
public sealed record SeqSettings(string Url, string? ApiKey, string BufferPath, TimeSpan Period, long BufferSizeLimitBytes);
