using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace R1Actors.Training.Tests.Support;

/// <summary>Keeps every log event so tests can check what was logged.</summary>
internal sealed class CollectingSink : ILogEventSink
{
    private readonly List<LogEvent> _events = [];

    public IReadOnlyList<LogEvent> Events => _events;

    public ILogger Logger() => new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public void Emit(LogEvent logEvent) => _events.Add(logEvent);
}
