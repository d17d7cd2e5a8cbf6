using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace R1Actors.Logging;

/// <summary>
/// The console when it is a terminal: log events scroll above one live status line (step, reward,
/// accuracy, tokens/s, time left) that is redrawn in place. When output is redirected (systemd, a pipe,
/// CI) it is not used and the console gets plain log lines only.
/// </summary>
public sealed class StatusLine : ILogEventSink
{
    private const string ClearLine = "\r\u001b[2K";
    private readonly MessageTemplateTextFormatter _formatter = new(LogSetup.ConsoleTemplate, System.Globalization.CultureInfo.InvariantCulture);
    private readonly TextWriter _output;
    private readonly Lock _gate = new();
    private string _status = "";

    public StatusLine(TextWriter output) => _output = output;

    /// <summary>True when stdout is an interactive terminal that understands ANSI line control.</summary>
    public static bool IsTerminal =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb";

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            _output.Write(ClearLine);
            _formatter.Format(logEvent, _output);
            _output.Write(_status);
            _output.Flush();
        }
    }

    /// <summary>Replaces the status text (one line; longer text is cut to the terminal width).</summary>
    public void Update(string status)
    {
        var width = Console.IsOutputRedirected ? 160 : Math.Max(20, Console.WindowWidth - 1);
        lock (_gate)
        {
            _status = status.Length > width ? status[..width] : status;
            _output.Write(ClearLine + _status);
            _output.Flush();
        }
    }

    /// <summary>Removes the status line, leaving the cursor at the start of an empty line.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _status = "";
            _output.Write(ClearLine);
            _output.Flush();
        }
    }
}
