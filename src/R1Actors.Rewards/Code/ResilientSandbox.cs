using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace R1Actors.Rewards.Code;

/// <summary>Runs programs in the sandbox; the seam that lets the code reward be tested without processes.</summary>
public interface ICodeSandbox
{
    IsolationLevel Level { get; }
    Task<ExecutionResult> RunAsync(SandboxJob job, CancellationToken cancellationToken);
}

/// <summary>Runs one job in a numbered slot (0 ≤ slot &lt; MaxConcurrency); <see cref="ProcessSandbox"/> is the real one.</summary>
public interface ISlotSandbox
{
    IsolationLevel Level { get; }
    Task<ExecutionResult> RunAsync(SandboxJob job, int slot, CancellationToken cancellationToken);
}

/// <summary>
/// The sandbox behind a Polly pipeline, outermost first: a concurrency limiter (the bulkhead: at most
/// MaxConcurrency programs at once, QueueLimit waiting), a circuit breaker and a retry that both look only
/// at sandbox faults (<see cref="ExecutionResult.InfrastructureFault"/>), and a timeout per attempt as a
/// backstop to the judge's own limits. A program that fails, hangs or misbehaves is an ordinary result:
/// never retried, never counted by the breaker. Refusals (full queue, open circuit, timeout) come back as
/// fault results, so callers score 0 with the reason and the stream goes on.
/// </summary>
public sealed class ResilientSandbox : ICodeSandbox
{
    private static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeout = new("r1actors.sandbox.timeout");
    private readonly ISlotSandbox _sandbox;
    private readonly SandboxSettings _settings;
    private readonly ResiliencePipeline<ExecutionResult> _pipeline;
    private readonly ConcurrentQueue<int> _slots = new();
    private long _faults;

    public ResilientSandbox(ISlotSandbox sandbox, SandboxSettings settings, TimeProvider timeProvider)
    {
        _sandbox = sandbox;
        _settings = settings;
        for (var slot = 0; slot < settings.MaxConcurrency; slot++) _slots.Enqueue(slot);
        _pipeline = BuildPipeline(settings, timeProvider);
    }

    public IsolationLevel Level => _sandbox.Level;

    /// <summary>Sandbox faults seen so far (each attempt), for metrics.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    public async Task<ExecutionResult> RunAsync(SandboxJob job, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        var budget = _settings.RunOverhead + TimeSpan.FromSeconds(job.WallSeconds(_settings.Limits) + 1);
        context.Properties.Set(AttemptTimeout, budget + TimeSpan.FromSeconds(5));
        try
        {
            var result = await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Self.RunInSlotAsync(state.Job, ctx.CancellationToken).ConfigureAwait(false),
                context,
                (Self: this, Job: job)).ConfigureAwait(false);
            return result;
        }
        catch (Exception e) when (e is BrokenCircuitException or RateLimiterRejectedException or TimeoutRejectedException)
        {
            Interlocked.Increment(ref _faults);
            return ExecutionResult.Fault(Level, Refusal(e), TimeSpan.Zero);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<ExecutionResult> RunInSlotAsync(SandboxJob job, CancellationToken cancellationToken)
    {
        if (!_slots.TryDequeue(out var slot)) return ExecutionResult.Fault(Level, "no free sandbox slot", TimeSpan.Zero);
        try
        {
            var result = await _sandbox.RunAsync(job, slot, cancellationToken).ConfigureAwait(false);
            if (result.InfrastructureFault is not null) Interlocked.Increment(ref _faults);
            return result;
        }
        finally
        {
            _slots.Enqueue(slot);
        }
    }

    private static ResiliencePipeline<ExecutionResult> BuildPipeline(SandboxSettings settings, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<ExecutionResult> { TimeProvider = timeProvider }
            .AddConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = settings.MaxConcurrency, QueueLimit = settings.QueueLimit })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ExecutionResult>
            {
                ShouldHandle = args => ValueTask.FromResult(IsFault(args.Outcome)),
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakerBreakDuration,
            });
        if (settings.InfrastructureRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<ExecutionResult>
            {
                ShouldHandle = args => ValueTask.FromResult(IsFault(args.Outcome)),
                MaxRetryAttempts = settings.InfrastructureRetries,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
            });
        }
        return builder
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(AttemptTimeout, TimeSpan.FromMinutes(1))),
            })
            .Build();
    }

    private static bool IsFault(Outcome<ExecutionResult> outcome) =>
        outcome.Result?.InfrastructureFault is not null || outcome.Exception is TimeoutRejectedException;

    private static string Refusal(Exception e) => e switch
    {
        BrokenCircuitException => "the sandbox circuit is open after repeated sandbox faults",
        RateLimiterRejectedException => "the sandbox queue is full",
        _ => "the sandbox did not finish within its time budget",
    };
}
