using R1Actors.Cli;

namespace R1Actors.Tests;

/// <summary>
/// A command run in this process, with stdout and stderr captured, for tests that only check what a command says
/// and returns (argument and configuration errors): no process to start. The console is global, so one runs at a time.
/// </summary>
internal static class InProcessCommand
{
    private static readonly Lock Console = new();

    /// <summary><c>r1actors ARGUMENTS</c> through the root command, as the executable's Main runs it.</summary>
    public static ExecutableRun Run(params string[] arguments) => Capture(() => RootCommandFactory.Run(arguments));

    /// <summary>Runs <paramref name="body"/> with the console captured; returns its exit code and what it wrote.</summary>
    public static ExecutableRun Capture(Func<int> body)
    {
        lock (Console)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var (previousOut, previousError) = (System.Console.Out, System.Console.Error);
            System.Console.SetOut(stdout);
            System.Console.SetError(stderr);
            try
            {
                var code = body();
                return new ExecutableRun(code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                System.Console.SetOut(previousOut);
                System.Console.SetError(previousError);
            }
        }
    }
}
