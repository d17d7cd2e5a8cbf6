namespace R1Actors.Pipeline.Graph;

/// <summary>
/// Admission control: a prompt takes a slot when it enters the pipeline and gives it back when the learner
/// step that used it has published its weights (or when it is dropped as stale). With (k + 1) · B slots a
/// prompt admitted at learner version V is trained no later than step V + k when groups arrive in order.
/// </summary>
public sealed class InFlightBudget(int capacity) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(capacity, capacity);

    public int Capacity { get; } = capacity;

    public long InUse => Capacity - _slots.CurrentCount;

    /// <summary>
    /// Waits for a slot and takes it (true), or gives up without one once <paramref name="ended"/> is cancelled
    /// (false): the end of a run is not an error for a prompt still waiting to be admitted.
    /// </summary>
    public async Task<bool> TryAcquireAsync(CancellationToken ended)
    {
        try
        {
            await _slots.WaitAsync(ended).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Release(int count)
    {
        if (count > 0)
            _slots.Release(count);
    }

    public void Dispose() => _slots.Dispose();
}
