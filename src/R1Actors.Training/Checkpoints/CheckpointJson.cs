using System.Text.Json;
using System.Text.Json.Serialization;

namespace R1Actors.Training.Checkpoints;

/// <summary>The JSON conventions of checkpoint files: snake_case keys, indented, NaN and ∞ written as names.</summary>
internal static class CheckpointJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises to a temporary file, flushes it to disk and renames it into place.</summary>
    public static void WriteFile<T>(string path, T value)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static T ReadFile<T>(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<T>(stream, Options)
            ?? throw new InvalidDataException($"{path}: the file holds JSON null");
    }
}
