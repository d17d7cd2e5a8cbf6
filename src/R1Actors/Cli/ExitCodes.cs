namespace R1Actors.Cli;

/// <summary>The process exit codes of every <c>r1actors</c> command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work failed at run time (a fault, a failed check).</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration is wrong; nothing was run.</summary>
    public const int Usage = 2;

    /// <summary>Cancelled (Ctrl+C) before the work could stop cleanly: 128 + SIGINT, as shells report it.</summary>
    public const int Cancelled = 130;
}
