using R1Actors.Rewards;
using R1Actors.Rewards.Code;
using R1Actors.Rewards.Custom;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Configuration.Sections;

/// <summary>Binds <c>r1.rewards</c> to <see cref="RewardSettings"/>; the library's own checks run last, naming the same keys.</summary>
public static class RewardSettingsBinder
{
    private const string R = "r1.rewards";

    public static RewardSettings Bind(SettingsReader r)
    {
        var settings = new RewardSettings
        {
            Weights = TaskKinds.BuiltIn.ToDictionary(
                kind => kind,
                kind => new TaskWeights(r.Double($"{R}.weights.{kind}.answer", min: 0), r.Double($"{R}.weights.{kind}.format", min: 0))),
            Format = new FormatSettings
            {
                Strictness = r.OneOf($"{R}.format.strictness", "strict", "standard", "lenient"),
                PromptOpensThink = r.Bool($"{R}.format.prompt-opens-think"),
            },
            Math = BindMath(r),
            Code = BindCode(r),
            CodePartialCredit = r.Bool($"{R}.code.partial-credit"),
            Custom = BindCustom(r),
            Assemblies = ExistingFiles(r, $"{R}.assemblies", r.StringList($"{R}.assemblies")),
        };
        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            var key = problems[0].Split(':')[0];
            throw r.Fail(key, string.Join("; ", problems));
        }
        return settings;
    }

    private static MathSettings BindMath(SettingsReader r) => new()
    {
        RelativeTolerance = r.Double($"{R}.math.relative-tolerance", min: 0, max: 0.5),
        StripUnits = r.Bool($"{R}.math.strip-units"),
        LastResortExtraction = r.Bool($"{R}.math.last-resort"),
        Seed = r.Int($"{R}.math.seed"),
        RandomPoints = r.Int($"{R}.math.random-points", min: 3, max: 100),
        Limits = new MathLimits
        {
            MaxAnswerChars = r.Int($"{R}.math.max-answer-chars", min: 1),
            MaxDepth = r.Int($"{R}.math.max-depth", min: 4, max: 1000),
            MaxTokens = r.Int($"{R}.math.max-tokens", min: 1),
            MaxExactBits = r.Long($"{R}.math.max-exact-bits", min: 64),
            MaxExactExponent = r.Int($"{R}.math.max-exact-exponent", min: 1),
            MaxFactorial = r.Int($"{R}.math.max-factorial", min: 1, max: 100_000),
            Deadline = Positive(r, $"{R}.math.deadline"),
        },
    };

    private static PythonRewardSettings BindCustom(SettingsReader r)
    {
        const string U = $"{R}.custom";
        var path = r.String($"{U}.path");
        if (path.Length > 0) ExistingFiles(r, $"{U}.path", [path]);
        return new PythonRewardSettings
        {
            Path = path,
            Function = r.String($"{U}.function", allowEmpty: false),
            Kind = r.String($"{U}.kind", allowEmpty: false),
            Timeout = Positive(r, $"{U}.timeout"),
            Weights = new TaskWeights(r.Double($"{U}.weights.answer", min: 0), r.Double($"{U}.weights.format", min: 0)),
        };
    }

    /// <summary>The paths as given, once each is known to exist (a missing file names the key, where it was set and the folder searched).</summary>
    private static IReadOnlyList<string> ExistingFiles(SettingsReader r, string key, IReadOnlyList<string> paths)
    {
        foreach (var path in paths.Where(p => !File.Exists(p)))
            throw r.Fail(key, $"'{path}' does not exist (relative paths start at {Environment.CurrentDirectory})");
        return paths;
    }

    private static SandboxSettings BindCode(SettingsReader r)
    {
        const string C = $"{R}.code";
        var scratch = r.OptionalString($"{C}.scratch-dir");
        return new SandboxSettings
        {
            Python = r.String($"{C}.python", allowEmpty: false),
            Isolation = r.OneOf($"{C}.isolation", "auto", "namespaces", "rlimits") switch
            {
                "namespaces" => IsolationPreference.Namespaces,
                "rlimits" => IsolationPreference.Rlimits,
                _ => IsolationPreference.Auto,
            },
            MaxConcurrency = r.Int($"{C}.max-concurrency", min: 1, max: 1024),
            QueueLimit = r.Int($"{C}.queue-limit", min: 0),
            RunOverhead = Positive(r, $"{C}.run-overhead"),
            InfrastructureRetries = r.Int($"{C}.infrastructure-retries", min: 0, max: 10),
            BaseUid = r.Int($"{C}.base-uid", min: 1000),
            ScratchParent = scratch,
            WarmPool = r.OneOf($"{C}.pool", "warm", "cold") == "warm",
            ServerRuns = r.Int($"{C}.server-runs", min: 1),
            Limits = new SandboxLimits
            {
                CpuSeconds = Positive(r, $"{C}.limits.cpu-time").TotalSeconds,
                WallSeconds = Positive(r, $"{C}.limits.wall-time").TotalSeconds,
                MemoryBytes = r.Long($"{C}.limits.memory-mb", min: 32) << 20,
                FileBytes = r.Long($"{C}.limits.file-size-mb", min: 1) << 20,
                DiskBytes = r.Long($"{C}.limits.disk-mb", min: 1) << 20,
                OutputBytes = r.Long($"{C}.limits.output-kb", min: 1) << 10,
                Processes = r.Int($"{C}.limits.processes", min: 1, max: 4096),
            },
            BreakerFailureRatio = r.Double($"{C}.breaker.failure-ratio", min: 0, max: 1, minExclusive: true),
            BreakerMinimumThroughput = r.Int($"{C}.breaker.minimum-throughput", min: 2),
            BreakerSamplingDuration = Positive(r, $"{C}.breaker.sampling-duration"),
            BreakerBreakDuration = Positive(r, $"{C}.breaker.break-duration"),
        };
    }

    private static TimeSpan Positive(SettingsReader r, string key)
    {
        var value = r.Duration(key);
        return value > TimeSpan.Zero ? value : throw r.Fail(key, "expected a positive duration such as 200ms or 5s");
    }
}
