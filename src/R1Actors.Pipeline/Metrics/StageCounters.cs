namespace R1Actors.Pipeline.Metrics;

/// <summary>
/// Running totals at each stage boundary, updated from the stream and the actors. Differences between
/// neighbouring totals are the queue depths; the counters themselves only ever grow (except the sampler's
/// in-progress count, which a crashed batch gives back).
/// </summary>
public sealed class StageCounters
{
    private long _promptsAdmitted;
    private long _promptsSamplingStarted;
    private long _promptsSampled;
    private long _rolloutsSampled;
    private long _rolloutsVerified;
    private long _groupsAssembled;
    private long _groupsReceived;
    private long _verifierFaults;

    public void PromptsAdmitted(int count) => Interlocked.Add(ref _promptsAdmitted, count);

    public void SamplingStarted(int prompts) => Interlocked.Add(ref _promptsSamplingStarted, prompts);

    /// <summary>A batch that crashed goes back to waiting; it is sampled again.</summary>
    public void SamplingAbandoned(int prompts) => Interlocked.Add(ref _promptsSamplingStarted, -prompts);

    public void Sampled(int prompts, int rollouts)
    {
        Interlocked.Add(ref _promptsSampled, prompts);
        Interlocked.Add(ref _rolloutsSampled, rollouts);
    }

    public void Verified() => Interlocked.Increment(ref _rolloutsVerified);

    public void VerifierFault() => Interlocked.Increment(ref _verifierFaults);

    public void GroupAssembled() => Interlocked.Increment(ref _groupsAssembled);

    public void GroupReceived() => Interlocked.Increment(ref _groupsReceived);

    public long VerifierFaults => Interlocked.Read(ref _verifierFaults);

    /// <summary>The queue depths now, with <paramref name="groupSize"/> completions per group.</summary>
    public QueueDepths Depths(int groupSize)
    {
        var admitted = Interlocked.Read(ref _promptsAdmitted);
        var started = Interlocked.Read(ref _promptsSamplingStarted);
        var sampledPrompts = Interlocked.Read(ref _promptsSampled);
        var sampled = Interlocked.Read(ref _rolloutsSampled);
        var verified = Interlocked.Read(ref _rolloutsVerified);
        var assembled = Interlocked.Read(ref _groupsAssembled);
        var received = Interlocked.Read(ref _groupsReceived);
        return new QueueDepths(
            PromptsAwaitingSampler: admitted - started,
            PromptsSampling: started - sampledPrompts,
            RolloutsAwaitingVerifier: sampled - verified,
            RolloutsAwaitingGroup: verified - (assembled * groupSize),
            GroupsAwaitingLearner: assembled - received);
    }
}
