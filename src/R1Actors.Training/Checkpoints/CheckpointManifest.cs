using System.Security.Cryptography;
using System.Text.Json;

namespace R1Actors.Training.Checkpoints;

/// <summary>One file of a checkpoint as the manifest records it.</summary>
public sealed record CheckpointFile(string Name, long Bytes, string Sha256);

/// <summary>
/// <c>manifest.json</c>: written last, after every other file of the checkpoint is complete and flushed. A
/// folder without it, or whose files do not match it, is an interrupted save and is never resumed from.
/// </summary>
public sealed record CheckpointManifest(int Format, long Step, long PolicyVersion, IReadOnlyList<CheckpointFile> Files)
{
    public const string FileName = "manifest.json";
    public const int CurrentFormat = 1;

    /// <summary>Describes every file now in <paramref name="folder"/> and writes the manifest (temporary name, then rename).</summary>
    public static CheckpointManifest Write(string folder, long step, long policyVersion)
    {
        var files = Directory.EnumerateFiles(folder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name != FileName)
            .Order(StringComparer.Ordinal)
            .Select(name => Describe(Path.Combine(folder, name)))
            .ToArray();
        var manifest = new CheckpointManifest(CurrentFormat, step, policyVersion, files);
        CheckpointJson.WriteFile(Path.Combine(folder, FileName), manifest);
        return manifest;
    }

    /// <summary>
    /// Why <paramref name="folder"/> is not a complete checkpoint, or null when it is: the manifest is missing or
    /// unreadable, or a listed file is missing, has another size, or (with <paramref name="verifyHashes"/>)
    /// another SHA-256.
    /// </summary>
    public static string? Problem(string folder, bool verifyHashes)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            return "no manifest.json (the save did not finish)";
        CheckpointManifest? manifest;
        try
        {
            manifest = CheckpointJson.ReadFile<CheckpointManifest>(path);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return $"manifest.json is unreadable: {e.Message}";
        }
        if (manifest is null || manifest.Format != CurrentFormat)
            return $"manifest.json has format {manifest?.Format}, expected {CurrentFormat}";
        foreach (var file in manifest.Files)
        {
            var filePath = Path.Combine(folder, file.Name);
            if (!File.Exists(filePath))
                return $"{file.Name} is missing";
            var bytes = new FileInfo(filePath).Length;
            if (bytes != file.Bytes)
                return $"{file.Name} has {bytes} bytes, the manifest says {file.Bytes}";
            if (verifyHashes && Sha256Of(filePath) != file.Sha256)
                return $"{file.Name} does not match its SHA-256 in the manifest";
        }
        return null;
    }

    private static CheckpointFile Describe(string path) => new(Path.GetFileName(path), new FileInfo(path).Length, Sha256Of(path));

    private static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
