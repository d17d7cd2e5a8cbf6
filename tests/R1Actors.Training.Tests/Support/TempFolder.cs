namespace R1Actors.Training.Tests.Support;

/// <summary>A fresh folder under the system temp dir, deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("r1actors-training-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
