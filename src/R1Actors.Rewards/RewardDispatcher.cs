using R1Actors.Rewards.Code;
using R1Actors.Rewards.Custom;
using R1Actors.Rewards.Countdown;
using R1Actors.Rewards.Exact;
using R1Actors.Rewards.Format;
using R1Actors.Rewards.Logic;
using R1Actors.Rewards.MathAnswers;

namespace R1Actors.Rewards;

/// <summary>
/// The reward function the pipeline calls: it routes a task to the function registered for its
/// <see cref="TaskSpec.Kind"/>. It never throws for a task or a completion: an unknown kind, a broken task
/// or a fault inside a function scores 0 with the reason, and is counted.
/// </summary>
/// <example>
/// <code>
/// await using var rewards = RewardDispatcher.Create(settings);
/// var outcome = await rewards.ScoreAsync(new TaskSpec(TaskKinds.Math, fields), completion, token);
/// </code>
/// </example>
public sealed class RewardDispatcher : IRewardFunction, IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, IRewardFunction> _functions;
    private readonly MathReward? _math;
    private readonly Lazy<SandboxHandle>? _sandbox;
    private readonly PythonReward? _custom;
    private long _faults;
    private long _unknownKinds;

    /// <summary>A dispatcher over the given functions (custom kinds, fakes in tests).</summary>
    public RewardDispatcher(IReadOnlyDictionary<string, IRewardFunction> functions)
        : this(functions, null, null, null)
    {
    }

    private RewardDispatcher(IReadOnlyDictionary<string, IRewardFunction> functions, MathReward? math, Lazy<SandboxHandle>? sandbox, PythonReward? custom)
    {
        _custom = custom;
        _functions = functions;
        _math = math;
        _sandbox = sandbox;
    }

    /// <summary>
    /// The built-in kinds (math, countdown, code, format, exact, knights-knaves, sudoku) with their weights from settings. The code
    /// sandbox is detected on the first code task (or by <see cref="StartSandbox"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The settings are invalid; the message lists each key and problem.</exception>
    public static RewardDispatcher Create(RewardSettings settings, TimeProvider? timeProvider = null)
    {
        var problems = settings.Validate();
        if (problems.Count > 0) throw new ArgumentException("invalid reward settings:\n  " + string.Join("\n  ", problems));
        var time = timeProvider ?? TimeProvider.System;
        var format = new FormatReward(FormatReward.RuleNamed(settings.Format.Strictness)!, settings.Format.PromptOpensThink);
        var math = new MathReward(settings.Math);
        var sandbox = new Lazy<SandboxHandle>(() => SandboxHandle.Start(settings.Code, time), LazyThreadSafetyMode.ExecutionAndPublication);
        var answers = new Dictionary<string, IRewardFunction?>
        {
            [TaskKinds.Math] = math,
            [TaskKinds.Countdown] = new CountdownReward(),
            [TaskKinds.Exact] = new ExactReward(settings.Math.LastResortExtraction),
            [TaskKinds.Code] = new CodeReward(new LazySandbox(sandbox), settings.CodePartialCredit),
            [TaskKinds.Format] = null,
            [TaskKinds.KnightsKnaves] = new KnightsKnavesReward(),
            [TaskKinds.Sudoku] = new SudokuReward(),
        };
        var functions = answers.ToDictionary(
            a => a.Key,
            a => (IRewardFunction)new WeightedReward(a.Value, format, settings.Weights[a.Key]));
        PythonReward? custom = null;
        if (settings.Custom.Path.Length > 0)
        {
            custom = new PythonReward(new LazySandbox(sandbox), settings.Custom);
            functions[settings.Custom.Kind] = new WeightedReward(custom, format, settings.Custom.Weights);
        }
        foreach (var (kind, reward) in CustomRewardAssemblies.Load(settings.Assemblies, functions.Keys))
            functions[kind] = new WeightedReward(reward, format, new TaskWeights(1, 0));
        return new RewardDispatcher(functions, math, sandbox, custom);
    }

    public IReadOnlyCollection<string> Kinds => _functions.Keys.ToList();

    /// <summary>Math tasks whose reference could not be read (a broken dataset shows here).</summary>
    public long InvalidReferences => _math?.InvalidReferences ?? 0;

    /// <summary>Faults inside reward functions (bugs), each scored 0.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    public long UnknownKinds => Interlocked.Read(ref _unknownKinds);

    /// <summary>Calls of the user's Python reward that raised, timed out or returned no score (each scored 0).</summary>
    public long CustomRewardFailures => _custom?.Failures ?? 0;

    /// <summary>Sandbox faults (not program failures): refusals, crashes of the sandbox itself.</summary>
    public long SandboxFaults => _sandbox is { IsValueCreated: true } s ? (s.Value.Sandbox?.Faults ?? 0) + Interlocked.Read(ref s.Value.Refused) : 0;

    /// <summary>The code sandbox's isolation level, once a code task (or <see cref="StartSandbox"/>) has started it.</summary>
    public IsolationLevel? SandboxIsolation => _sandbox is { IsValueCreated: true } s ? s.Value.Sandbox?.Level ?? IsolationLevel.Unavailable : null;

    /// <summary>The code sandbox's isolation in words and why stronger levels were not used, once it has started.</summary>
    public string? SandboxDescription => _sandbox is { IsValueCreated: true, Value.Environment: { } e }
        ? e.Rejected.Count == 0 ? e.Description : $"{e.Description} (not used: {string.Join("; ", e.Rejected)})"
        : null;

    /// <summary>Detects the sandbox now, so that a missing interpreter stops start-up instead of scoring 0 later.</summary>
    public IsolationLevel StartSandbox()
    {
        var handle = _sandbox?.Value ?? throw new InvalidOperationException("this dispatcher has no code sandbox");
        return handle.Sandbox?.Level ?? throw new InvalidOperationException(handle.Error);
    }

    public async ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken)
    {
        if (!_functions.TryGetValue(task.Kind, out var function))
        {
            Interlocked.Increment(ref _unknownKinds);
            return Outcomes.Fail(RewardComponents.Answer, $"unknown task kind '{task.Kind}' (known: {string.Join(", ", _functions.Keys)})");
        }
        try
        {
            return await function.ScoreAsync(task, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref _faults);
            return Outcomes.Fail(RewardComponents.Answer, $"verifier fault in '{task.Kind}': {e.GetType().Name}: {e.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_sandbox is { IsValueCreated: true })
        {
            _sandbox.Value.Process?.Dispose();
            _sandbox.Value.Environment?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The sandbox once detected, or why it could not be.</summary>
    private sealed record SandboxHandle(SandboxEnvironment? Environment, ProcessSandbox? Process, ResilientSandbox? Sandbox, string? Error)
    {
        /// <summary>Runs refused because the sandbox could not be detected (each one a sandbox fault).</summary>
        public long Refused;

        public static SandboxHandle Start(SandboxSettings settings, TimeProvider time)
        {
            try
            {
                var environment = SandboxEnvironment.Detect(settings);
                var process = new ProcessSandbox(environment, settings, time);
                return new SandboxHandle(environment, process, new ResilientSandbox(process, settings, time), null);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                return new SandboxHandle(null, null, null, e.Message);
            }
        }
    }

    /// <summary>Defers detection to the first run; when detection failed every run is a sandbox fault with the reason.</summary>
    private sealed class LazySandbox(Lazy<SandboxHandle> handle) : ICodeSandbox
    {
        public IsolationLevel Level => handle.Value.Sandbox?.Level ?? IsolationLevel.Unavailable;

        public Task<ExecutionResult> RunAsync(SandboxJob job, CancellationToken cancellationToken)
        {
            var value = handle.Value;
            if (value.Sandbox is { } sandbox) return sandbox.RunAsync(job, cancellationToken);
            Interlocked.Increment(ref value.Refused);
            return Task.FromResult(ExecutionResult.Fault(IsolationLevel.Unavailable, $"sandbox unavailable: {value.Error}", TimeSpan.Zero));
        }
    }
}
