using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Custom;

/// <summary>A reward users write in Python (HOCON <c>r1.rewards.custom</c>), with veRL's convention.</summary>
public sealed record PythonRewardSettings
{
    /// <summary>The Python file; empty: no custom kind.</summary>
    public string Path { get; init; } = "";
    public string Function { get; init; } = "compute_score";
    /// <summary>The task kind whose rows it scores.</summary>
    public string Kind { get; init; } = "custom";
    /// <summary>Wall time of one call (its CPU time is bounded to the same).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
    public TaskWeights Weights { get; init; } = new(1.0, 0.0);
}

/// <summary>
/// Scores a completion with the user's <c>compute_score(data_source, solution_str, ground_truth, extra_info)</c>
/// (veRL's signature, called with keywords), run in the code sandbox's warm pool: it is user code, and a
/// reward function that runs the completion's code must not run it on the host.
/// <list type="bullet">
/// <item><c>data_source</c>: the row's <c>data_source</c>, else its task kind; <c>solution_str</c>: the completion;
///   <c>ground_truth</c>: the row's <c>ground_truth</c>, else <c>reference</c>, else <c>answer</c> (any JSON value, or None);
///   <c>extra_info</c>: every other field of the row, as a dict. A row in veRL's layout gets veRL's own:
///   <c>reward_model.ground_truth</c> and the row's <c>extra_info</c>.</item>
/// <item>It returns a number (or bool), or a dict with a numeric <c>score</c>: the answer component. The dict's
///   other numeric entries become components of their own (logged with every rollout and averaged per step).</item>
/// <item>An exception, a timeout, or any other return scores 0 with the reason and is counted in <see cref="Failures"/>.</item>
/// </list>
/// </summary>
/// <example><c>def compute_score(data_source, solution_str, ground_truth, extra_info=None): return float(ground_truth in solution_str)</c></example>
public sealed class PythonReward : IRewardFunction
{
    private static readonly string[] GroundTruthFields = ["ground_truth", "reference", "answer"];
    private readonly ICodeSandbox _sandbox;
    private readonly PythonRewardSettings _settings;
    private readonly string _source;
    private readonly string _fileName;
    private long _failures;

    /// <summary>Reads the file now, so that a wrong path stops start-up with the key to change.</summary>
    /// <exception cref="SettingsException">The file cannot be read, or never names the function.</exception>
    public PythonReward(ICodeSandbox sandbox, PythonRewardSettings settings)
    {
        _sandbox = sandbox;
        _settings = settings;
        _fileName = System.IO.Path.GetFileName(settings.Path);
        try
        {
            _source = File.ReadAllText(settings.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("r1.rewards.custom.path", $"cannot read '{settings.Path}' (relative paths start at {Environment.CurrentDirectory}): {e.Message}");
        }
        if (!_source.Contains(settings.Function, StringComparison.Ordinal))
            throw new SettingsException("r1.rewards.custom.function", $"'{settings.Path}' never mentions '{settings.Function}'; name the function that computes the score");
    }

    /// <summary>Calls that raised, timed out or returned something that is not a score (each scored 0).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public async ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken)
    {
        var seconds = _settings.Timeout.TotalSeconds;
        var call = new FunctionCall(_source, _fileName, _settings.Function, Arguments(task, completion), seconds, seconds);
        var result = await _sandbox.RunAsync(SandboxJob.Calling(call), cancellationToken).ConfigureAwait(false);
        if (result.InfrastructureFault is not null) return Outcomes.Fail(RewardComponents.Answer, result.Reason!);
        if (!result.Passed) return Failed($"{result.Tests?.Status}: {result.Tests?.Detail}");
        return Read(result.Returned) ?? Failed($"returned {Shorten(result.Returned?.ToJsonString() ?? "None")}; expected a number or a dict with a numeric 'score'");
    }

    /// <summary>
    /// veRL's keyword arguments from the row. A row in veRL's own layout (<c>reward_model.ground_truth</c>, an
    /// <c>extra_info</c> object) gets exactly what veRL would pass; any other row gets its <c>ground_truth</c>
    /// (else <c>reference</c>, else <c>answer</c>) and every other field as <c>extra_info</c>.
    /// </summary>
    internal static JsonObject Arguments(TaskSpec task, string completion)
    {
        var source = task.TryGetText("data_source", out var name, out _) ? name : task.Kind;
        var fields = task.Fields;
        if (fields.TryGetValue("reward_model", out var model) && model.ValueKind == JsonValueKind.Object && model.TryGetProperty("ground_truth", out var truth))
        {
            return Call(source, completion, Node(truth),
                fields.TryGetValue("extra_info", out var info) && info.ValueKind == JsonValueKind.Object ? Node(info) : new JsonObject());
        }
        var groundTruthField = GroundTruthFields.FirstOrDefault(fields.ContainsKey);
        var extra = new JsonObject();
        foreach (var (field, value) in fields)
        {
            if (field != "data_source" && field != groundTruthField) extra[field] = Node(value);
        }
        return Call(source, completion, groundTruthField is null ? null : Node(fields[groundTruthField]), extra);
    }

    private static JsonObject Call(string source, string completion, JsonNode? groundTruth, JsonNode? extra) => new()
    {
        ["data_source"] = source,
        ["solution_str"] = completion,
        ["ground_truth"] = groundTruth,
        ["extra_info"] = extra,
    };

    private static JsonNode? Node(JsonElement value) => JsonNode.Parse(value.GetRawText());

    /// <summary>A number, a bool or <c>{"score": number, …}</c> as an outcome; null for anything else.</summary>
    internal static RewardOutcome? Read(JsonNode? returned)
    {
        if (Number(returned) is { } score) return new RewardOutcome(score, new Dictionary<string, double> { [RewardComponents.Answer] = score }, null);
        if (returned is not JsonObject dict || Number(dict["score"]) is not { } total) return null;
        var components = new Dictionary<string, double> { [RewardComponents.Answer] = total };
        foreach (var (name, value) in dict)
        {
            if (name == "score" || Number(value) is not { } figure) continue;
            components[name is RewardComponents.Answer or RewardComponents.Format ? "custom_" + name : name] = figure;
        }
        return new RewardOutcome(total, components, null);
    }

    private static double? Number(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.Number => value.GetValue<double>(),
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            _ => null,
        };
    }

    private RewardOutcome Failed(string reason)
    {
        Interlocked.Increment(ref _failures);
        return Outcomes.Fail(RewardComponents.Answer, $"custom reward {_fileName}:{_settings.Function}: {reason}");
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";
}
