using System.Text.Json;

namespace R1Actors.Pipeline.Data;

/// <summary>Which record fields hold what (from <c>r1.data.fields</c> and <c>r1.data.task-fields</c>).</summary>
/// <param name="TaskFields">TaskSpec field name → record field name, copied as the dataset wrote them.</param>
public sealed record FieldMap(
    string Id,
    string Prompt,
    string Messages,
    string Task,
    string DefaultTask,
    IReadOnlyDictionary<string, string> TaskFields);

/// <summary>A record turned into a prompt, or the reason it could not be.</summary>
public readonly record struct MappedRecord(Prompt? Prompt, string? Problem);

/// <summary>
/// Turns one dataset record (a JSON object: a JSONL line or a Parquet row) into a <see cref="Prompt"/>.
/// A record is refused, with the reason, when it has no prompt, when its prompt is not text or chat messages,
/// or when it lacks what its task needs to be judged (a reference answer, numbers and target, tests).
/// </summary>
public sealed class PromptRecordMapper(FieldMap map)
{
    // What each known task needs; a record lacking every alternative of one line is refused.
    private static readonly Dictionary<string, string[][]> Required = new(StringComparer.Ordinal)
    {
        [TaskKinds.Math] = [["reference"]],
        [TaskKinds.Exact] = [["reference"]],
        [TaskKinds.Countdown] = [["numbers"], ["target"]],
        [TaskKinds.Code] = [["tests", "test_code"]],
        [TaskKinds.KnightsKnaves] = [["names"], ["roles"]],
        [TaskKinds.Sudoku] = [["puzzle"]],
    };

    public FieldMap Map { get; } = map;

    public MappedRecord Read(JsonElement record, string fallbackId)
    {
        try
        {
            return ReadRecord(record, fallbackId);
        }
        catch (InvalidOperationException)
        {
            // JsonElement.GetString on an unpaired surrogate escape (\ud800): the record, not the run, is broken.
            return Refuse("a string field is not valid Unicode (an unpaired surrogate escape such as \\ud800)");
        }
    }

    private MappedRecord ReadRecord(JsonElement record, string fallbackId)
    {
        if (record.ValueKind != JsonValueKind.Object)
            return Refuse($"expected a JSON object, got {record.ValueKind}");
        var content = ReadContent(record, out var contentProblem);
        if (content is null)
            return Refuse(contentProblem!);
        var kind = Map.DefaultTask;
        if (record.TryGetProperty(Map.Task, out var taskValue) && taskValue.ValueKind != JsonValueKind.Null)
        {
            if (taskValue.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(taskValue.GetString()))
                return Refuse($"field '{Map.Task}' must be a task name such as math or countdown");
            kind = taskValue.GetString()!;
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (taskField, recordField) in Map.TaskFields)
        {
            if (record.TryGetProperty(recordField, out var value) && value.ValueKind != JsonValueKind.Null)
                fields[taskField] = value.Clone();
        }
        if (!TaskKinds.BuiltIn.Contains(kind)) CopyTheRest(record, fields);
        if (Required.TryGetValue(kind, out var needs))
        {
            foreach (var alternatives in needs)
            {
                if (!alternatives.Any(fields.ContainsKey))
                    return Refuse($"task '{kind}' needs {Describe(alternatives)}, mapped from record field {DescribeSource(alternatives)}");
            }
        }
        return new MappedRecord(new Prompt(ReadId(record, fallbackId), content, new TaskSpec(kind, fields)), null);
    }

    /// <summary>
    /// A kind R1Actors does not know (a custom reward's) gets every field of the record but the prompt, the id
    /// and the task, as the dataset wrote them: its function decides what it needs (veRL rows carry
    /// <c>data_source</c>, <c>reward_model</c>, <c>extra_info</c>).
    /// </summary>
    private void CopyTheRest(JsonElement record, Dictionary<string, JsonElement> fields)
    {
        foreach (var property in record.EnumerateObject())
        {
            if (property.Name == Map.Prompt || property.Name == Map.Messages || property.Name == Map.Id || property.Name == Map.Task) continue;
            if (property.Value.ValueKind != JsonValueKind.Null) fields.TryAdd(property.Name, property.Value.Clone());
        }
    }

    private PromptContent? ReadContent(JsonElement record, out string? problem)
    {
        problem = null;
        if (record.TryGetProperty(Map.Messages, out var messages) && messages.ValueKind == JsonValueKind.Array)
            return ReadMessages(messages, Map.Messages, out problem);
        if (!record.TryGetProperty(Map.Prompt, out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            problem = $"no prompt: neither field '{Map.Prompt}' nor '{Map.Messages}' is present";
            return null;
        }
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String when !string.IsNullOrWhiteSpace(prompt.GetString()):
                return new TextPrompt(prompt.GetString()!);
            case JsonValueKind.Array:
                return ReadMessages(prompt, Map.Prompt, out problem);
            default:
                problem = $"field '{Map.Prompt}' must be non-empty text or a list of chat messages, got {prompt.ValueKind}";
                return null;
        }
    }

    private static ChatPrompt? ReadMessages(JsonElement array, string field, out string? problem)
    {
        problem = null;
        var messages = new List<ChatMessage>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("content", out var text) || text.ValueKind != JsonValueKind.String)
            {
                problem = $"field '{field}' message {messages.Count + 1} must be an object with string 'role' and 'content'";
                return null;
            }
            messages.Add(new ChatMessage(role.GetString()!, text.GetString()!));
        }
        if (messages.Count == 0)
        {
            problem = $"field '{field}' holds no messages";
            return null;
        }
        return new ChatPrompt(messages);
    }

    private string ReadId(JsonElement record, string fallbackId)
    {
        if (!record.TryGetProperty(Map.Id, out var id))
            return fallbackId;
        return id.ValueKind switch
        {
            JsonValueKind.String when id.GetString()!.Length > 0 => id.GetString()!,
            JsonValueKind.Number => id.GetRawText(),
            _ => fallbackId,
        };
    }

    private static string Describe(string[] alternatives) =>
        string.Join(" or ", alternatives.Select(a => $"'{a}'"));

    private string DescribeSource(string[] alternatives) =>
        string.Join(" or ", alternatives.Select(a => Map.TaskFields.TryGetValue(a, out var source)
            ? $"'{source}'"
            : $"(none: add r1.data.task-fields.{a})"));

    private static MappedRecord Refuse(string problem) => new(null, problem);
}
