using System.Reflection;
using R1Actors.Pipeline.Graph;
using R1Actors.Policy.Model;
using R1Actors.Policy.Tokenization;

namespace R1Actors.Cli;

/// <summary>
/// The one table from an exception to what the user sees and the process's exit code, for every command and for
/// the daemon after its host started alike:
/// <list type="bullet">
/// <item>a configuration or data mistake (a key, a data file, a model or tokenizer folder, a checkpoint that does
/// not fit the configuration): exit 2, one line that names the key, the file and the remedy, no stack trace;</item>
/// <item>cancellation (Ctrl+C before the work could stop cleanly): exit 130;</item>
/// <item>anything else is a fault at run time: exit 1 with the reason (the stack trace belongs in the log).</item>
/// </list>
/// A mistake may arrive wrapped (a task's <see cref="AggregateException"/>, reflection's
/// <see cref="TargetInvocationException"/>, a type initialiser, the pipeline's <see cref="PipelineFailedException"/>):
/// the wrappers are looked through, so the mistake is reported, not its wrapping.
/// </summary>
/// <param name="ExitCode">One of <see cref="ExitCodes"/>.</param>
/// <param name="Message">The one line for stderr.</param>
/// <param name="Cause">The exception that decided the outcome, wrappers removed.</param>
public sealed record CommandFailure(int ExitCode, string Message, Exception Cause)
{
    /// <summary>True for a fault at run time (exit 1): the only outcome for which a restart can help.</summary>
    public bool IsFault => ExitCode == ExitCodes.Failure;

    public static CommandFailure Of(Exception exception)
    {
        if (Find(exception, IsMistake) is { } mistake)
            return new CommandFailure(ExitCodes.Usage, OneLine(Describe(mistake)), mistake);
        if (Find(exception, e => e is OperationCanceledException) is { } cancelled)
            return new CommandFailure(ExitCodes.Cancelled, "cancelled", cancelled);
        var fault = Unwrap(exception);
        return new CommandFailure(ExitCodes.Failure, OneLine($"error: {fault.Message}"), fault);
    }

    /// <summary>Writes the line to stderr and returns the exit code.</summary>
    public int Report()
    {
        Console.Error.WriteLine(Message);
        return ExitCode;
    }

    private static bool IsMistake(Exception e) =>
        e is SettingsException or UsageException or ModelFormatException or TokenizerFormatException;

    private static string Describe(Exception mistake) => mistake switch
    {
        ModelFormatException or TokenizerFormatException => mistake.Message.Contains("r1.model", StringComparison.Ordinal) || mistake.Message.Contains("r1.training.lora", StringComparison.Ordinal)
            ? $"Model folder error: {mistake.Message}"
            : $"Model folder error: {mistake.Message} (r1.model.path names the model folder: point it at a complete Hugging Face model folder)",
        _ => mistake.Message,
    };

    /// <summary>The first exception, depth first through the wrappers, that <paramref name="match"/> accepts.</summary>
    private static Exception? Find(Exception e, Func<Exception, bool> match)
    {
        if (match(e))
            return e;
        return e switch
        {
            AggregateException aggregate => aggregate.InnerExceptions.Select(inner => Find(inner, match)).FirstOrDefault(found => found is not null),
            TargetInvocationException or TypeInitializationException or PipelineFailedException when e.InnerException is { } inner => Find(inner, match),
            _ => null,
        };
    }

    /// <summary>A fault without its wrappers: what actually went wrong.</summary>
    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        TargetInvocationException or TypeInitializationException when e.InnerException is { } inner => Unwrap(inner),
        _ => e,
    };

    // stderr gets one line per failure, so a log or a terminal shows it whole.
    private static string OneLine(string message) =>
        string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
