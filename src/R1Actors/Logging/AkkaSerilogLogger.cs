using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Serilog.Events;

namespace R1Actors.Logging;

/// <summary>
/// Akka.NET's logger, forwarding the actor system's own log to Serilog (and so to the console, the CLEF
/// file and Seq). Registered through <see cref="AkkaConfig"/>.
/// </summary>
public sealed class AkkaSerilogLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>The HOCON that makes an actor system log through this class.</summary>
    public const string AkkaConfig = """
        akka {
          loggers = ["R1Actors.Logging.AkkaSerilogLogger, r1actors"]
          logger-startup-timeout = 10s
          stdout-loglevel = WARNING
          loglevel = INFO
        }
        """;

    public AkkaSerilogLogger()
    {
        Receive<Error>(e => Write(LogEventLevel.Error, e, e.Cause));
        Receive<Warning>(e => Write(LogEventLevel.Warning, e, null));
        Receive<Info>(e => Write(LogEventLevel.Information, e, null));
        Receive<Debug>(e => Write(LogEventLevel.Debug, e, null));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
    }

    private static void Write(LogEventLevel level, Akka.Event.LogEvent e, Exception? cause) =>
        Serilog.Log.Logger
            .ForContext("SourceContext", e.LogClass?.FullName ?? "Akka")
            .ForContext("ActorPath", e.LogSource)
            .Write(level, cause, "{AkkaMessage:l}", e.Message?.ToString());
}
