using Serilog;

namespace R1Actors.Daemon;

/// <summary>
/// Held-out evaluation every <c>r1.eval.every-steps</c> learner steps while training goes on. The weights of the
/// step that fell due are held (a lease on the weight store) at once, on the learner's thread, and evaluated on a
/// task of their own, so neither the learner nor the samplers wait for it; each result is an <c>Evaluation</c>
/// event at that step, which <c>r1actors report</c> draws as the held-out curve. One evaluation runs at a time: a
/// step that falls due while the one before is still running is skipped, and says so.
/// </summary>
/// <param name="evaluatedAfter">A step left out because the evaluation after training measures the same weights (0 = none).</param>
public sealed class PeriodicEvaluation(HeldOutEvaluation evaluator, int everySteps, long evaluatedAfter, CancellationToken stopRequested) : IAsyncDisposable
{
    private static ILogger Log => Serilog.Log.ForContext<PeriodicEvaluation>();

    private Task? _running;

    /// <summary>Called after every learner step, on the learner's thread.</summary>
    public void OnStep(long step)
    {
        if (everySteps <= 0 || step % everySteps != 0 || step == evaluatedAfter || stopRequested.IsCancellationRequested)
            return;
        if (_running is { IsCompleted: false })
        {
            Log.Warning("Held-out evaluation at step {Step} skipped: the one before it is still running (raise r1.eval.every-steps)", step);
            return;
        }
        var lease = evaluator.HoldLatest();
        _running = Task.Run(() => EvaluateAsync(lease, step));
    }

    private async Task EvaluateAsync(Training.Weights.WeightLease lease, long step)
    {
        try
        {
            await evaluator.RunAsync(lease, "during training", step, stopRequested).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopRequested.IsCancellationRequested)
        {
            Log.Information("Held-out evaluation at step {Step} cancelled by the stop request", step);
        }
        catch (Exception e)
        {
            Log.Error(e, "Held-out evaluation at step {Step} failed; training goes on", step);
        }
    }

    /// <summary>Waits for the evaluation still running, if any (it never throws).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_running is not null)
            await _running.ConfigureAwait(false);
    }
}
