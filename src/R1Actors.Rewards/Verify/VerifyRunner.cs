using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1Actors.Rewards.Verify;

/// <summary>Per task kind: how many lines and their mean score.</summary>
public sealed record KindSummary(int Count, double MeanScore);

/// <summary>
/// The result of scoring a JSONL file. <see cref="Errors"/> counts malformed lines (each also has an output
/// line with score 0 and the reason); <see cref="ErrorSamples"/> keeps the first few, with line numbers.
/// </summary>
public sealed record VerifySummary(
    int Count,
    double MeanScore,
    IReadOnlyDictionary<string, KindSummary> PerTask,
    int Errors,
    IReadOnlyList<string> ErrorSamples,
    long InvalidReferences,
    long SandboxFaults,
    long CustomRewardFailures = 0)
{
    public string ToJson() => new JsonObject
    {
        ["count"] = Count,
        ["mean_score"] = Math.Round(MeanScore, 6),
        ["per_task"] = new JsonObject(PerTask.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key,
            (JsonNode?)new JsonObject { ["count"] = p.Value.Count, ["mean_score"] = Math.Round(p.Value.MeanScore, 6) }))),
        ["errors"] = Errors,
        ["error_samples"] = new JsonArray(ErrorSamples.Select(e => (JsonNode?)e).ToArray()),
        ["invalid_references"] = InvalidReferences,
        ["sandbox_faults"] = SandboxFaults,
        ["custom_reward_failures"] = CustomRewardFailures,
    }.ToJsonString();
}

/// <summary>
/// Scores a JSONL file offline: one object a line with <c>task</c>, <c>completion</c> and the task's fields;
/// writes one <c>{"score", "components", "reason"}</c> line per input line, in order. A malformed line never
/// stops the run: it gets score 0 with a reason that names its line, and is counted.
/// </summary>
public sealed class VerifyRunner(RewardDispatcher rewards, int parallelism)
{
    private const int MaxErrorSamples = 20;

    public async Task<VerifySummary> RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var pending = new Queue<Task<LineResult>>();
        var tally = new Tally();
        var lineNumber = 0;
        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            pending.Enqueue(ScoreLineAsync(lineNumber, line, cancellationToken));
            while (pending.Count >= parallelism) await WriteAsync(await pending.Dequeue().ConfigureAwait(false), output, tally).ConfigureAwait(false);
        }
        while (pending.Count > 0) await WriteAsync(await pending.Dequeue().ConfigureAwait(false), output, tally).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return tally.Summary(rewards.InvalidReferences, rewards.SandboxFaults) with { CustomRewardFailures = rewards.CustomRewardFailures };
    }

    private async Task<LineResult> ScoreLineAsync(int lineNumber, string line, CancellationToken cancellationToken)
    {
        var parsed = ParseLine(lineNumber, line);
        if (parsed.Error is not null) return new LineResult(null, Outcomes.Fail(RewardComponents.Answer, parsed.Error), parsed.Error);
        await Task.Yield();
        var outcome = await rewards.ScoreAsync(parsed.Task!, parsed.Completion!, cancellationToken).ConfigureAwait(false);
        return new LineResult(parsed.Task!.Kind, outcome, null);
    }

    /// <summary>Reads one line into a task and a completion, or says what is wrong with it.</summary>
    public static (TaskSpec? Task, string? Completion, string? Error) ParseLine(int lineNumber, string line)
    {
        if (line.Trim().Length == 0) return (null, null, $"line {lineNumber}: empty line");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return (null, null, $"line {lineNumber}: not valid JSON ({e.Message})");
        }
        if (root.ValueKind != JsonValueKind.Object) return (null, null, $"line {lineNumber}: expected a JSON object");
        if (!root.TryGetProperty("task", out var task) || task.ValueKind != JsonValueKind.String)
            return (null, null, $"line {lineNumber}: missing string field 'task'");
        if (!root.TryGetProperty("completion", out var completion) || completion.ValueKind != JsonValueKind.String)
            return (null, null, $"line {lineNumber}: missing string field 'completion'");
        var fields = root.EnumerateObject()
            .Where(p => p.Name is not ("task" or "completion"))
            .ToDictionary(p => p.Name, p => p.Value);
        try
        {
            return (new TaskSpec(task.GetString()!, fields), completion.GetString()!, null);
        }
        catch (InvalidOperationException)
        {
            return (null, null, $"line {lineNumber}: 'task' or 'completion' is not valid Unicode (an unpaired surrogate escape such as \\ud800)");
        }
    }

    private static async Task WriteAsync(LineResult result, TextWriter output, Tally tally)
    {
        tally.Add(result);
        var line = new JsonObject
        {
            ["score"] = result.Outcome.Score,
            ["components"] = new JsonObject(result.Outcome.Components.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value))),
            ["reason"] = result.Outcome.Reason,
        };
        await output.WriteLineAsync(line.ToJsonString()).ConfigureAwait(false);
    }

    private sealed record LineResult(string? Kind, RewardOutcome Outcome, string? Error);

    private sealed class Tally
    {
        private readonly Dictionary<string, (int Count, double Sum)> _perKind = new(StringComparer.Ordinal);
        private readonly List<string> _samples = [];
        private int _count;
        private int _errors;
        private double _sum;

        public void Add(LineResult result)
        {
            _count++;
            _sum += result.Outcome.Score;
            if (result.Error is not null)
            {
                _errors++;
                if (_samples.Count < MaxErrorSamples) _samples.Add(result.Error);
                return;
            }
            var (count, sum) = _perKind.GetValueOrDefault(result.Kind!);
            _perKind[result.Kind!] = (count + 1, sum + result.Outcome.Score);
        }

        public VerifySummary Summary(long invalidReferences, long sandboxFaults) => new(
            _count,
            _count == 0 ? 0 : _sum / _count,
            _perKind.ToDictionary(p => p.Key, p => new KindSummary(p.Value.Count, p.Value.Sum / p.Value.Count)),
            _errors,
            _samples,
            invalidReferences,
            sandboxFaults);
    }
}
