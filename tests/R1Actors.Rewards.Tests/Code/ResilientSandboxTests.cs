using Microsoft.Extensions.Time.Testing;
using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>The Polly pipeline around the sandbox, against a scripted sandbox (no processes).</summary>
public sealed class ResilientSandboxTests
{
    private static readonly SandboxJob Job = new("print(1)", [new StdioCase("", "1")], null, null);

    private static SandboxSettings Settings(int concurrency = 2, int retries = 1) => new()
    {
        MaxConcurrency = concurrency,
        QueueLimit = 100,
        InfrastructureRetries = retries,
        BreakerMinimumThroughput = 4,
        BreakerFailureRatio = 0.5,
        BreakerSamplingDuration = TimeSpan.FromSeconds(30),
        BreakerBreakDuration = TimeSpan.FromSeconds(30),
    };

    private sealed class ScriptedSandbox(Func<int, ExecutionResult> script, TimeSpan delay = default) : ISlotSandbox
    {
        private int _calls;
        private int _running;

        public int Calls => _calls;
        public int MaxRunning { get; private set; }
        public HashSet<int> SlotsSeen { get; } = [];
        public IsolationLevel Level => IsolationLevel.RlimitsOnly;

        public async Task<ExecutionResult> RunAsync(SandboxJob job, int slot, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            var running = Interlocked.Increment(ref _running);
            lock (SlotsSeen)
            {
                MaxRunning = Math.Max(MaxRunning, running);
                Assert.True(SlotsSeen.Add(slot) || true);
            }
            if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken);
            Interlocked.Decrement(ref _running);
            return script(call);
        }
    }

    private static ExecutionResult ProgramFailed() => new(IsolationLevel.RlimitsOnly, [new CaseResult(false, "runtime-error", "exit code 1")], null, TimeSpan.Zero);
    private static ExecutionResult Passed() => new(IsolationLevel.RlimitsOnly, [new CaseResult(true, "passed", "")], null, TimeSpan.Zero);
    private static ExecutionResult Broken() => ExecutionResult.Fault(IsolationLevel.RlimitsOnly, "judge crashed", TimeSpan.Zero);

    [Fact]
    public async Task A_failing_program_is_never_retried()
    {
        var inner = new ScriptedSandbox(_ => ProgramFailed());
        var result = await new ResilientSandbox(inner, Settings(), TimeProvider.System).RunAsync(Job, CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Null(result.InfrastructureFault);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A_sandbox_fault_is_retried_and_a_recovery_passes()
    {
        var inner = new ScriptedSandbox(call => call == 1 ? Broken() : Passed());
        var sandbox = new ResilientSandbox(inner, Settings(), TimeProvider.System);
        var result = await sandbox.RunAsync(Job, CancellationToken.None);
        Assert.True(result.Passed, result.Reason);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(1, sandbox.Faults);
    }

    [Fact]
    public async Task Repeated_sandbox_faults_open_the_circuit_and_runs_are_refused_with_a_reason()
    {
        var inner = new ScriptedSandbox(_ => Broken());
        var sandbox = new ResilientSandbox(inner, Settings(retries: 0), TimeProvider.System);
        for (var i = 0; i < 4; i++) Assert.NotNull((await sandbox.RunAsync(Job, CancellationToken.None)).InfrastructureFault);
        var callsWhenOpen = inner.Calls;
        var refused = await sandbox.RunAsync(Job, CancellationToken.None);
        Assert.Contains("circuit is open", refused.Reason);
        Assert.Equal(callsWhenOpen, inner.Calls);
    }

    [Fact]
    public async Task Program_failures_never_open_the_circuit()
    {
        var inner = new ScriptedSandbox(_ => ProgramFailed());
        var sandbox = new ResilientSandbox(inner, Settings(retries: 0), TimeProvider.System);
        for (var i = 0; i < 12; i++) await sandbox.RunAsync(Job, CancellationToken.None);
        Assert.Equal(12, inner.Calls);
        Assert.Equal(0, sandbox.Faults);
    }

    [Fact]
    public async Task The_bulkhead_bounds_concurrent_runs_and_gives_each_its_own_slot()
    {
        var inner = new ScriptedSandbox(_ => Passed(), TimeSpan.FromMilliseconds(30));
        var sandbox = new ResilientSandbox(inner, Settings(concurrency: 2), TimeProvider.System);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => sandbox.RunAsync(Job, CancellationToken.None)));
        Assert.All(results, r => Assert.True(r.Passed));
        Assert.True(inner.MaxRunning <= 2, $"{inner.MaxRunning} ran at once");
        Assert.Subset(new HashSet<int> { 0, 1 }, inner.SlotsSeen);
    }

    private sealed class HangingSandbox : ISlotSandbox
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;
        public IsolationLevel Level => IsolationLevel.RlimitsOnly;

        public async Task<ExecutionResult> RunAsync(SandboxJob job, int slot, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return Passed();
        }
    }

    [Fact]
    public async Task A_hung_sandbox_is_abandoned_at_the_attempt_timeout_as_a_sandbox_fault()
    {
        var time = new FakeTimeProvider();
        var inner = new HangingSandbox();
        var sandbox = new ResilientSandbox(inner, Settings(retries: 0), time);
        var run = sandbox.RunAsync(Job, CancellationToken.None);
        await inner.Started;
        time.Advance(TimeSpan.FromMinutes(5));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("time budget", result.Reason);
        Assert.Equal(1, sandbox.Faults);
    }

    [Fact]
    public async Task A_full_queue_refuses_the_run_with_a_reason()
    {
        var inner = new HangingSandbox();
        var settings = Settings(concurrency: 1) with { QueueLimit = 0 };
        var sandbox = new ResilientSandbox(inner, settings, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var running = sandbox.RunAsync(Job, stop.Token);
        await inner.Started;
        var refused = await sandbox.RunAsync(Job, CancellationToken.None);
        Assert.Contains("queue is full", refused.Reason);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }
}
