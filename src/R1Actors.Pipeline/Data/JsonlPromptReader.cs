using System.Text.Json;

namespace R1Actors.Pipeline.Data;

/// <summary>
/// Reads a JSONL dataset: one JSON object a line. Blank lines are ignored; a line that is not JSON, or whose
/// object does not map to a prompt, is skipped and reported with its line number. Ids default to file:line.
/// </summary>
public static class JsonlPromptReader
{
    public static IReadOnlyList<Prompt> Read(string path, PromptRecordMapper mapper, SkippedRecords skips)
    {
        var prompts = new List<Prompt>();
        var name = Path.GetFileName(path);
        using var reader = new StreamReader(path);
        var lineNumber = 0L;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            skips.Take(Map(line, mapper, $"{name}:{lineNumber}"), path, $"line {lineNumber}", prompts);
        }
        skips.Summarise(path, prompts.Count);
        return prompts;
    }

    private static MappedRecord Map(string line, PromptRecordMapper mapper, string fallbackId)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return mapper.Read(document.RootElement, fallbackId);
        }
        catch (JsonException e)
        {
            return new MappedRecord(null, $"not valid JSON: {e.Message}");
        }
    }
}
