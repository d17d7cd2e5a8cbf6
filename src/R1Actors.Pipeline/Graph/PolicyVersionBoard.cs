namespace R1Actors.Pipeline.Graph;

/// <summary>
/// The latest weights version the learner has finished publishing. Samplers read it at the start of every
/// batch, so a batch queued behind a publication still starts with the newest weights.
/// </summary>
public sealed class PolicyVersionBoard(long initialVersion)
{
    private long _latest = initialVersion;

    public long Latest => Interlocked.Read(ref _latest);

    public void Publish(long version)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _latest);
            if (version <= seen)
                return;
        }
        while (Interlocked.CompareExchange(ref _latest, version, seen) != seen);
    }
}
