using Akka.Actor;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;
using Serilog;

namespace R1Actors.Pipeline.Actors;

/// <summary>
/// The learner, behind the ack-based sink: each group is acknowledged only once it has been taken in, and the
/// group that completes a batch only after the step, so the learner's pace drives the graph. Runs on a pinned
/// thread; the port's calls are synchronous. A port fault fails this actor with the batch still pending in the
/// <see cref="LearnerLoop"/>; the restarted actor takes the same step again, and supervision stops the run
/// after repeated faults.
/// </summary>
public sealed class LearnerActor : ReceiveActor
{
    private readonly LearnerLoop _loop;
    private readonly IReadOnlyList<IActorRef> _samplers;
    private readonly PipelineCompletion _completion;
    private readonly ILogger _log;

    public LearnerActor(LearnerLoop loop, IReadOnlyList<IActorRef> samplers, PipelineCompletion completion, ILogger log)
    {
        _loop = loop;
        _samplers = samplers;
        _completion = completion;
        _log = log;
        Receive<LearnerStreamStarted>(_ => Sender.Tell(GroupAck.Instance));
        Receive<ScoredGroup>(OnGroup);
        Receive<RetryStep>(retry => StepAndAck(retry.AckTo));
        Receive<LearnerStreamCompleted>(_ => End(_completion.StopRequested ? StopReason.Stopped : StopReason.PromptsExhausted));
        Receive<LearnerStreamFailed>(failed =>
        {
            _loop.Stop();
            _completion.Fail(new PipelineFailedException($"the pipeline stream failed: {failed.Cause.Message}", failed.Cause));
        });
    }

    public static Props Props(LearnerLoop loop, IReadOnlyList<IActorRef> samplers, PipelineCompletion completion, ILogger log, string dispatcher) =>
        Akka.Actor.Props.Create(() => new LearnerActor(loop, samplers, completion, log)).WithDispatcher(dispatcher);

    private void OnGroup(ScoredGroup group)
    {
        if (_completion.HasEnded)
        {
            Sender.Tell(GroupAck.Instance);
            return;
        }
        _loop.Accept(group);
        if (_loop.StepDue)
            StepAndAck(Sender);
        else
            Sender.Tell(GroupAck.Instance);
    }

    private void StepAndAck(IActorRef ackTo)
    {
        StepOutcome outcome;
        try
        {
            outcome = _loop.Train();
        }
        catch (Exception e)
        {
            throw new LearnerFaultException(_loop.Step, ackTo, e);
        }
        _loop.Commit(outcome, version =>
        {
            foreach (var sampler in _samplers)
                sampler.Tell(new WeightsPublished(version));
        });
        if (_loop.ReachedMaxSteps)
            End(StopReason.MaxSteps);
        ackTo.Tell(GroupAck.Instance);
    }

    private void End(StopReason reason)
    {
        if (_completion.HasEnded)
            return;
        _loop.Stop();
        _log.Information("Pipeline finished ({StopReason}) at step {Step}, v{PolicyVersion}: {RolloutsTrained} rollouts trained, {DroppedRolloutsTotal} dropped as stale",
            reason, _loop.Step, _loop.PolicyVersion, _loop.RolloutsTrained, _loop.DroppedRolloutsTotal);
        _completion.Finish(new PipelineOutcome(reason, _loop.Progress, _loop.RolloutsTrained, _loop.DroppedRolloutsTotal));
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (reason is LearnerFaultException fault)
        {
            _log.Error(reason, "Learner step {Step} failed; restarting the learner and taking the same step again", fault.Step);
            Self.Tell(new RetryStep(fault.AckTo));
        }
        // Not base.PreRestart: it would call PostStop, which ends the run's bookkeeping. The learner has no children.
    }

    /// <summary>However the actor stops (run over, run failed, actor system shutting down), the loop is stopped once.</summary>
    protected override void PostStop() => _loop.Stop();
}
