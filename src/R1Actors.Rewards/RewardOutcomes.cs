using System.Text.Json;

namespace R1Actors.Rewards;

/// <summary>Ready-made outcomes of one component, and reading a task's fields with errors that name the field.</summary>
public static class Outcomes
{
    /// <summary>Full marks on <paramref name="component"/>.</summary>
    public static RewardOutcome Pass(string component) => new(1.0, new Dictionary<string, double> { [component] = 1.0 }, null);

    /// <summary>Zero on <paramref name="component"/>, with the reason.</summary>
    public static RewardOutcome Fail(string component, string reason) => new(0.0, new Dictionary<string, double> { [component] = 0.0 }, reason);

    /// <summary>A partial score on <paramref name="component"/> (code: the fraction of tests passed).</summary>
    public static RewardOutcome Partial(string component, double score, string? reason) =>
        new(score, new Dictionary<string, double> { [component] = score }, score >= 1.0 ? null : reason);
}

/// <summary>Typed access to <see cref="TaskSpec.Fields"/>: a missing or mistyped field is a reason, never an exception.</summary>
public static class TaskFields
{
    /// <summary>A string field; numbers are accepted as their JSON text (a reference written as 42).</summary>
    public static bool TryGetText(this TaskSpec task, string name, out string value, out string? problem)
    {
        value = "";
        problem = null;
        if (!task.Fields.TryGetValue(name, out var element)) { problem = $"task has no '{name}' field"; return false; }
        switch (element.ValueKind)
        {
            case JsonValueKind.String: value = element.GetString() ?? ""; return true;
            case JsonValueKind.Number: value = element.GetRawText(); return true;
            default: problem = $"field '{name}' must be a string or a number, not {element.ValueKind}"; return false;
        }
    }

    public static bool TryGetInteger(this TaskSpec task, string name, out long value, out string? problem)
    {
        value = 0;
        problem = null;
        if (!task.Fields.TryGetValue(name, out var element)) { problem = $"task has no '{name}' field"; return false; }
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value)) return true;
        if (element.ValueKind == JsonValueKind.String && long.TryParse(element.GetString(), out value)) return true;
        problem = $"field '{name}' must be an integer";
        return false;
    }

    public static bool TryGetIntegers(this TaskSpec task, string name, out List<long> values, out string? problem)
    {
        values = [];
        problem = null;
        if (!task.Fields.TryGetValue(name, out var element) || element.ValueKind != JsonValueKind.Array)
        {
            problem = $"task needs '{name}' as an array of integers";
            return false;
        }
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number)) { problem = $"'{name}' holds a value that is not an integer"; return false; }
            values.Add(number);
        }
        return true;
    }
}
