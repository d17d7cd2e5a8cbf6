namespace R1Actors;

public static class Program
{
    public static int Main(string[] args) => Cli.RootCommandFactory.Run(args);
}
