using Akka.Streams;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// The one place a run ends: the learner finishing, the stream completing, a stage giving up, or a stop
/// request. The first word wins; ending shuts the graph down through its kill switch (or aborts it on failure)
/// and cancels every wait on the in-flight budget.
/// </summary>
public sealed class PipelineCompletion : IDisposable
{
    private readonly TaskCompletionSource<PipelineOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _ended = new();
    private int _stopRequested;

    public SharedKillSwitch KillSwitch { get; } = KillSwitches.Shared("r1-pipeline");

    public Task<PipelineOutcome> Outcome => _outcome.Task;

    /// <summary>Cancelled once the run has ended, whichever way.</summary>
    public CancellationToken Ended => _ended.Token;

    public bool HasEnded => _outcome.Task.IsCompleted;

    public bool StopRequested => Volatile.Read(ref _stopRequested) == 1;

    /// <summary>Stop issuing prompts and let the learner finish; the outcome says <see cref="StopReason.Stopped"/>.</summary>
    public void RequestStop()
    {
        Volatile.Write(ref _stopRequested, 1);
        KillSwitch.Shutdown();
    }

    public void Finish(PipelineOutcome outcome)
    {
        if (_outcome.TrySetResult(outcome))
            End(null);
    }

    public void Fail(Exception error)
    {
        if (_outcome.TrySetException(error))
            End(error);
    }

    private void End(Exception? error)
    {
        if (error is null)
            KillSwitch.Shutdown();
        else
            KillSwitch.Abort(error);
        _ended.Cancel();
    }

    public void Dispose() => _ended.Dispose();
}
