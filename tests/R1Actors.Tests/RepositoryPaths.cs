namespace R1Actors.Tests;

/// <summary>Files of the repository the tests read (configurations, the shipped base model).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "R1Actors.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no R1Actors.sln above {AppContext.BaseDirectory}");
    }
}
