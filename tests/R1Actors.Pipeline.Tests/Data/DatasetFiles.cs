using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Data;

/// <summary>A temporary folder for dataset files, removed after the test.</summary>
public sealed class DatasetFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("r1-data-").FullName;

    public static FieldMap Fields { get; } = new(
        "id", "prompt", "messages", "task", "math",
        new Dictionary<string, string> { ["reference"] = "answer", ["numbers"] = "nums", ["target"] = "target" });

    public string Write(string name, params string[] lines)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
