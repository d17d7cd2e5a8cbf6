using R1Actors.Configuration;

namespace R1Actors.Cli;

/// <summary>
/// Runs a command body and maps its outcome to an exit code: a configuration mistake is reported on
/// stderr with exit code 2, any other failure with exit code 1, cancellation (Ctrl+C) with 130.
/// </summary>
public static class CommandAction
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Usage;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e)
        {
            Serilog.Log.Fatal(e, "{Command} failed: {Reason}", Environment.GetCommandLineArgs().ElementAtOrDefault(1), e.Message);
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
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
