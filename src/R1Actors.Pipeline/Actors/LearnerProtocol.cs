using Akka.Actor;

namespace R1Actors.Pipeline.Actors;

// The ack-based sink protocol between the stream and the learner: the stream sends the next group only after
// the learner has acknowledged the previous one, so the learner's pace is the pace of the whole graph.

/// <summary>The stream is connected; acknowledge to receive the first group.</summary>
public sealed record LearnerStreamStarted
{
    public static readonly LearnerStreamStarted Instance = new();
}

/// <summary>The learner is ready for the next group.</summary>
public sealed record GroupAck
{
    public static readonly GroupAck Instance = new();
}

/// <summary>No more groups will come (the prompts ran out or the run is stopping).</summary>
public sealed record LearnerStreamCompleted
{
    public static readonly LearnerStreamCompleted Instance = new();
}

/// <summary>The stream failed upstream of the learner.</summary>
public sealed record LearnerStreamFailed(Exception Cause);

/// <summary>Take the pending step again (sent to itself by a learner restarted after a fault).</summary>
public sealed record RetryStep(IActorRef AckTo);

/// <summary>The learner port threw during a step; the batch stays pending and the restarted learner retries it.</summary>
public sealed class LearnerFaultException(long step, IActorRef ackTo, Exception inner)
    : Exception($"learner step {step} failed: {inner.Message}", inner)
{
    public long Step { get; } = step;

    public IActorRef AckTo { get; } = ackTo;
}
