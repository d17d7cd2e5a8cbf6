using Akka.Actor;
using R1Actors.Pipeline.Metrics;
using R1Actors.Rewards;
using Serilog;

namespace R1Actors.Pipeline.Actors;

/// <summary>What every verifier shares with the rest of the pipeline.</summary>
public sealed record VerifierEnvironment(
    IRewardFunction Rewards,
    TimeSpan Timeout,
    StageCounters Counters,
    LatencyWindow Latency,
    TimeProvider Time,
    ILogger Log);

/// <summary>
/// One verifier of the pool, on its own thread so CPU-bound checks never starve the stream. Every completion
/// is answered: a function that throws or does not finish within the timeout scores 0 with the reason, logged.
/// A throw is a bug in the function, so after answering, the actor fails and supervision restarts it fresh.
/// </summary>
public sealed class VerifierActor : ReceiveActor
{
    private readonly VerifierEnvironment _env;

    public VerifierActor(VerifierEnvironment env)
    {
        _env = env;
        ReceiveAsync<VerifyCompletion>(VerifyAsync);
    }

    public static Props Props(VerifierEnvironment env, string dispatcher) =>
        Akka.Actor.Props.Create(() => new VerifierActor(env)).WithDispatcher(dispatcher);

    private async Task VerifyAsync(VerifyCompletion request)
    {
        var replyTo = Sender;
        var rollout = request.Rollout;
        var task = rollout.Prompt.Prompt.Task;
        var started = _env.Time.GetTimestamp();
        RewardOutcome? outcome = null;
        Exception? fault = null;
        string? faultReason = null;
        using (var deadline = new CancellationTokenSource(_env.Timeout, _env.Time))
        {
            try
            {
                outcome = await _env.Rewards.ScoreAsync(task, rollout.CompletionText, deadline.Token).AsTask()
                    .WaitAsync(_env.Timeout, _env.Time).ConfigureAwait(true);
            }
            catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && deadline.IsCancellationRequested))
            {
                faultReason = $"verifier timed out after {_env.Timeout.TotalSeconds:F1}s";
            }
            catch (Exception e)
            {
                fault = e;
                faultReason = $"verifier fault: {e.GetType().Name}: {e.Message}";
            }
        }
        var latency = _env.Time.GetElapsedTime(started);
        _env.Latency.Record(latency);
        _env.Counters.Verified();
        if (faultReason is not null)
        {
            outcome = new RewardOutcome(0, new Dictionary<string, double>(), faultReason);
            _env.Counters.VerifierFault();
            // EventKind matches the executable's EventKinds.VerifierFault, which Seq dashboards select on.
            _env.Log.ForContext("EventKind", "VerifierFault").Warning(fault, "Verifier scored 0 for prompt {PromptId} sample {SampleIndex} (task {TaskKind}): {Reason}",
                rollout.Prompt.Prompt.Id, rollout.SampleIndex, task.Kind, faultReason);
        }
        replyTo.Tell(new ScoredRollout(rollout, outcome!, latency));
        if (fault is not null)
            throw new VerifierFaultException($"reward function for task '{task.Kind}' threw on prompt {rollout.Prompt.Prompt.Id}", fault);
    }
}
