using R1Actors.Rewards.Code;
using R1Actors.Rewards.Custom;
using R1Actors.Rewards.Format;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards;

/// <summary>How much each component counts for one task kind: score = Answer·answer + Format·format.</summary>
public sealed record TaskWeights(double Answer, double Format);

/// <summary>The R1-Zero format component (HOCON <c>r1.rewards.format</c>).</summary>
public sealed record FormatSettings
{
    /// <summary><c>strict</c>, <c>standard</c> or <c>lenient</c> (see <see cref="FormatReward"/>).</summary>
    public string Strictness { get; init; } = "standard";
    /// <summary>The prompt template ends with <c>&lt;think&gt;</c>, so completions start inside the think block.</summary>
    public bool PromptOpensThink { get; init; }
}

/// <summary>Everything the reward functions read from configuration (HOCON <c>r1.rewards</c>).</summary>
public sealed record RewardSettings
{

    public MathSettings Math { get; init; } = new();
    public FormatSettings Format { get; init; } = new();
    public SandboxSettings Code { get; init; } = new();
    /// <summary>Code scores the fraction of tests passed instead of all-or-nothing.</summary>
    public bool CodePartialCredit { get; init; }
    /// <summary>A reward the user wrote in Python (veRL's compute_score), run in the code sandbox.</summary>
    public PythonRewardSettings Custom { get; init; } = new();
    /// <summary>Assemblies with <see cref="ICustomReward"/> classes: task kinds in C#.</summary>
    public IReadOnlyList<string> Assemblies { get; init; } = [];

    /// <summary>Weights per task kind; the <c>format</c> kind is judged on format alone.</summary>
    public IReadOnlyDictionary<string, TaskWeights> Weights { get; init; } = new Dictionary<string, TaskWeights>
    {
        [TaskKinds.Math] = new(1.0, 0.1),
        [TaskKinds.Countdown] = new(1.0, 0.1),
        [TaskKinds.Code] = new(1.0, 0.1),
        [TaskKinds.Exact] = new(1.0, 0.1),
        [TaskKinds.Format] = new(0.0, 1.0),
        [TaskKinds.KnightsKnaves] = new(1.0, 0.1),
        [TaskKinds.Sudoku] = new(1.0, 0.1),
    };

    /// <summary>
    /// The same settings scoring correctness alone (what <c>r1actors verify</c> does without
    /// <c>--with-format</c>): answer weight 1 and format weight 0, except the <c>format</c> kind.
    /// </summary>
    public RewardSettings CorrectnessOnly() => this with
    {
        Weights = Weights.ToDictionary(w => w.Key, w => w.Key == TaskKinds.Format ? new TaskWeights(0, 1) : new TaskWeights(1, 0)),
        Custom = Custom with { Weights = new TaskWeights(1, 0) },
    };

    /// <summary>Problems with these settings, each naming its HOCON key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (FormatReward.RuleNamed(Format.Strictness) is null)
            problems.Add($"r1.rewards.format.strictness: '{Format.Strictness}' is not one of strict, standard, lenient");
        if (Math.RelativeTolerance is < 0 or >= 1) problems.Add("r1.rewards.math.relative-tolerance: must be in [0, 1)");
        if (Math.RandomPoints < 3) problems.Add("r1.rewards.math.random-points: must be at least 3");
        if (Math.Limits.Deadline <= TimeSpan.Zero) problems.Add("r1.rewards.math.deadline: must be positive");
        foreach (var (kind, weights) in Weights)
        {
            if (weights.Answer < 0 || weights.Format < 0 || !double.IsFinite(weights.Answer + weights.Format))
                problems.Add($"r1.rewards.weights.{kind}: weights must be finite and non-negative");
        }
        foreach (var kind in TaskKinds.BuiltIn.Where(k => !Weights.ContainsKey(k))) problems.Add($"r1.rewards.weights.{kind}: missing");
        if (Custom.Path.Length > 0)
        {
            if (Custom.Kind.Length == 0 || TaskKinds.BuiltIn.Contains(Custom.Kind))
                problems.Add($"r1.rewards.custom.kind: '{Custom.Kind}' must be a kind of its own, not empty or one of {string.Join(", ", TaskKinds.BuiltIn)}");
            if (Custom.Timeout <= TimeSpan.Zero) problems.Add("r1.rewards.custom.timeout: must be positive");
            if (Custom.Function.Length == 0) problems.Add("r1.rewards.custom.function: must name the function");
        }
        var limits = Code.Limits;
        if (limits.CpuSeconds <= 0 || limits.WallSeconds <= 0) problems.Add("r1.rewards.code.limits: cpu-seconds and wall-seconds must be positive");
        if (limits.MemoryBytes < 32L << 20) problems.Add("r1.rewards.code.limits.memory: at least 32 MiB (the interpreter needs it)");
        if (limits.Processes < 1 || limits.OutputBytes < 1 || limits.FileBytes < 1 || limits.DiskBytes < 1 << 20)
            problems.Add("r1.rewards.code.limits: processes, output, file-size must be positive and disk at least 1 MiB");
        if (Code.MaxConcurrency < 1) problems.Add("r1.rewards.code.max-concurrency: must be at least 1");
        if (Code.QueueLimit < 0) problems.Add("r1.rewards.code.queue-limit: must not be negative");
        if (Code.BreakerFailureRatio is <= 0 or > 1) problems.Add("r1.rewards.code.breaker.failure-ratio: must be in (0, 1]");
        if (Code.BreakerMinimumThroughput < 2) problems.Add("r1.rewards.code.breaker.minimum-throughput: must be at least 2");
        if (Code.BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || Code.BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
            problems.Add("r1.rewards.code.breaker: sampling-duration and break-duration must be at least 500ms");
        return problems;
    }
}
