namespace R1Actors.Cli;

/// <summary>The answer of a command whose machinery has not landed in this build.</summary>
public static class Unavailable
{
    public static int Answer(string command)
    {
        Console.Error.WriteLine($"r1actors {command}: this command is not available in this build.");
        return ExitCodes.Failure;
    }
}
