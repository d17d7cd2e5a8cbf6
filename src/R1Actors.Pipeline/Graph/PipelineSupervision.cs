using Akka.Actor;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Settings;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// The pipeline's whole supervision policy, in one place. Each role has a supervisor actor with its own strategy:
/// <list type="bullet">
/// <item><b>Samplers</b>: restart on any fault. The restarted sampler makes a fresh port, loads the newest
/// weights and samples its failed batch again (its other queued batches stay in its mailbox), so no prompt is
/// lost and none reaches the learner twice. More than <c>sampler-max-restarts</c> within
/// <c>sampler-restart-window</c> stops that sampler, and the run fails: a device that keeps failing is broken.</item>
/// <item><b>Verifiers</b>: restart, always. A verifier fault has already been answered with a score of 0.</item>
/// <item><b>Learner</b>: restart on a port fault and take the same step again; the
/// <c>learner-max-faults</c>-th fault within <c>learner-fault-window</c> stops the run with the last error.
/// Anything else the learner throws is a bug in the pipeline's bookkeeping and stops the run at once.</item>
/// </list>
/// A stopped child fails the run with a <see cref="PipelineFailedException"/> that names it and its last error;
/// the daemon resumes from the last complete checkpoint.
/// </summary>
public static class PipelineSupervision
{
    public static SupervisorStrategy Samplers(SupervisionSettings s, Action<Exception> record) =>
        new OneForOneStrategy(s.SamplerMaxRestarts, s.SamplerRestartWindow, e =>
        {
            record(e);
            return Directive.Restart;
        });

    public static SupervisorStrategy Verifiers(Action<Exception> record) =>
        new OneForOneStrategy(null, null, e =>
        {
            record(e);
            return Directive.Restart;
        });

    public static SupervisorStrategy Learner(SupervisionSettings s, Action<Exception> record) =>
        new OneForOneStrategy(s.LearnerMaxFaults - 1, s.LearnerFaultWindow, e =>
        {
            record(e);
            return e is LearnerFaultException ? Directive.Restart : Directive.Stop;
        });

    /// <summary>What a supervisor does when one of its children has stopped for good.</summary>
    public static PipelineFailedException GaveUp(string role, string child, Exception? lastFault) =>
        new($"{role} '{child}' stopped for good (repeated faults, or one that a restart cannot repair); the run cannot go on. Last error: {lastFault?.Message ?? "none recorded"}. " +
            "Resume from the last complete checkpoint once the cause is fixed.", lastFault);
}

/// <summary>Start a child under this supervisor; answered with its <see cref="IActorRef"/>.</summary>
public sealed record StartChild(Props Props, string Name);

/// <summary>
/// Supervises the actors of one role with that role's strategy, remembers the last fault, and fails the run
/// when a child stops for good.
/// </summary>
public sealed class RoleSupervisor : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;
    private Exception? _lastFault;

    public RoleSupervisor(string role, Func<Action<Exception>, SupervisorStrategy> strategy, PipelineCompletion completion)
    {
        _strategy = strategy(e => _lastFault = e);
        Receive<StartChild>(start =>
        {
            var child = Context.ActorOf(start.Props, start.Name);
            Context.Watch(child);
            Sender.Tell(child);
        });
        Receive<Terminated>(t => completion.Fail(PipelineSupervision.GaveUp(role, t.ActorRef.Path.Name, _lastFault)));
    }

    public static Props Props(string role, Func<Action<Exception>, SupervisorStrategy> strategy, PipelineCompletion completion) =>
        Akka.Actor.Props.Create(() => new RoleSupervisor(role, strategy, completion));

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;
}
