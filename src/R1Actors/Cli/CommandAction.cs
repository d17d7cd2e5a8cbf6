namespace R1Actors.Cli;

/// <summary>
/// Runs a command body and maps its outcome to an exit code by <see cref="CommandFailure"/>: a configuration or data
/// mistake is one line on stderr with exit code 2, any other failure exit code 1, cancellation (Ctrl+C) 130.
/// </summary>
public static class CommandAction
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var failure = CommandFailure.Of(e);
            if (failure.IsFault)
                Serilog.Log.Fatal(failure.Cause, "{Command} failed: {Reason}", Environment.GetCommandLineArgs().ElementAtOrDefault(1), failure.Cause.Message);
            return failure.Report();
        }
        finally
        {
            Serilog.Log.CloseAndFlush();
        }
    }

    public static Task<int> RunAsync(Func<Task<int>> body) => Task.FromResult(Run(() => body().GetAwaiter().GetResult()));
}

/// <summary>A wrong command-line argument that the parser could not catch (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
