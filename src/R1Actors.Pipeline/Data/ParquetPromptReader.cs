using System.Text.Json;
using Parquet.Serialization;

namespace R1Actors.Pipeline.Data;

/// <summary>
/// Reads a Parquet dataset (the format of Hugging Face datasets). Each row becomes a JSON object (lists and
/// structs included, so chat-message columns and number lists map as in JSONL); a row that does not map to a
/// prompt is skipped and reported with its row number (1-based). Ids default to file:row.
/// </summary>
public static class ParquetPromptReader
{
    public static async Task<IReadOnlyList<Prompt>> ReadAsync(
        string path, PromptRecordMapper mapper, SkippedRecords skips, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        await using var stream = File.OpenRead(path);
        var table = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var prompts = new List<Prompt>(table.Data.Count);
        var row = 0L;
        foreach (var record in table.Data)
        {
            row++;
            skips.Take(mapper.Read(JsonSerializer.SerializeToElement(record), $"{name}:{row}"), path, $"row {row}", prompts);
        }
        skips.Summarise(path, prompts.Count);
        return prompts;
    }
}
