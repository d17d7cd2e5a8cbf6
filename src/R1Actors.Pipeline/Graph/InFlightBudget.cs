namespace R1Actors.Pipeline.Graph;

/// <summary>
/// Admission control: a prompt takes a slot when it enters the pipeline and gives it back when the learner
/// step that used it has published its weights (or when it is dropped as stale). With (k + 1) · B slots a
/// prompt admitted at learner version V is trained no later than step V + k when groups arrive in order.
/// </summary>
/// <remarks>
/// The budget keeps its own count of slots taken rather than reading the semaphore's: a waiter woken by
/// <see cref="Release"/> can run before the semaphore has finished updating its count, and would then see
/// none free when several were just given back. Here a release is counted before any waiter wakes and an
/// acquisition when its waiter resumes, so <see cref="Available"/> read right after <see cref="TryAcquireAsync"/>
/// is exact whenever one caller admits at a time (deterministic batching relies on it).
/// </remarks>
public sealed class InFlightBudget(int capacity) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    private int _taken;

    public int Capacity { get; } = capacity;

    public long InUse => Volatile.Read(ref _taken);

    /// <summary>Slots free now.</summary>
    public int Available => Capacity - Volatile.Read(ref _taken);

    /// <summary>
    /// Waits for a slot and takes it (true), or gives up without one once <paramref name="ended"/> is cancelled
    /// (false): the end of a run is not an error for a prompt still waiting to be admitted.
    /// </summary>
    public async Task<bool> TryAcquireAsync(CancellationToken ended)
    {
        try
        {
            await _slots.WaitAsync(ended).ConfigureAwait(false);
            Interlocked.Increment(ref _taken);
            return true;
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Release(int count)
    {
        if (count <= 0)
            return;
        Interlocked.Add(ref _taken, -count);
        _slots.Release(count);
    }

    public void Dispose() => _slots.Dispose();
}
