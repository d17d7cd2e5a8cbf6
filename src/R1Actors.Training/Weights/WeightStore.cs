using static TorchSharp.torch;

namespace R1Actors.Training.Weights;

/// <summary>
/// Where the learner publishes each new version of the weights and where samplers on other threads or
/// devices read them, without stopping the learner. A reader takes a <see cref="WeightLease"/> on the latest
/// snapshot and keeps a consistent version for as long as it holds it, however many versions the learner
/// publishes meanwhile; it can never see half-updated weights because a snapshot is complete before it is
/// swapped in and never written afterwards. Old snapshots are freed as soon as no lease holds them, so
/// memory stays at the latest version plus the versions readers still use.
/// </summary>
public sealed class WeightStore : IDisposable
{
    private readonly Lock _gate = new();
    private WeightSnapshot? _latest;
    private bool _disposed;

    /// <summary>The latest published version, or −1 before the first publication.</summary>
    public long LatestVersion
    {
        get
        {
            lock (_gate)
                return _latest?.Version ?? -1;
        }
    }

    /// <summary>
    /// Copies <paramref name="module"/>'s state and makes it the latest version. Runs on the learner's thread;
    /// the copy happens outside the lock, so readers are never blocked for its duration.
    /// </summary>
    public void Publish(nn.Module module, long version) => Publish(Policy.Model.ModelWeights.Snapshot(module), version);

    /// <summary>
    /// Makes <paramref name="weights"/> (a fresh copy the store takes ownership of: every weight, or a LoRA adapter's
    /// alone) the latest version.
    /// </summary>
    public void Publish(Policy.Model.ModelWeights weights, long version)
    {
        var snapshot = WeightSnapshot.Wrap(weights, version);
        lock (_gate)
        {
            if (_disposed)
            {
                snapshot.Release();
                throw new ObjectDisposedException(nameof(WeightStore));
            }
            if (_latest is { } previous && version <= previous.Version)
            {
                snapshot.Release();
                throw new ArgumentOutOfRangeException(nameof(version), version, $"weights version {version} is not newer than the published version {previous.Version}");
            }
            _latest?.Release();
            _latest = snapshot;
        }
    }

    /// <summary>A lease on the latest snapshot; dispose it when the weights were copied or are no longer used.</summary>
    public WeightLease Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_latest is null || !_latest.TryRetain())
                throw new InvalidOperationException("no weights have been published yet");
            return new WeightLease(this, _latest);
        }
    }

    /// <summary>
    /// A lease on the latest snapshot, which is <paramref name="version"/> or newer (the learner may have published
    /// again since the caller heard of it): load what the lease holds and report <see cref="WeightLease.Version"/>.
    /// </summary>
    public WeightLease Acquire(long version)
    {
        var lease = Acquire();
        if (lease.Version >= version)
            return lease;
        lease.Dispose();
        throw new InvalidOperationException($"weights version {version} was asked for, but the newest published is {lease.Version}");
    }

    internal void Release(WeightSnapshot snapshot)
    {
        lock (_gate)
            snapshot.Release();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _latest?.Release();
            _latest = null;
        }
    }
}

/// <summary>A reader's hold on one weights version; the version stays alive until every lease on it is disposed.</summary>
public sealed class WeightLease : IDisposable
{
    private WeightStore? _store;

    internal WeightLease(WeightStore store, WeightSnapshot snapshot)
    {
        _store = store;
        Snapshot = snapshot;
    }

    public WeightSnapshot Snapshot { get; }

    public long Version => Snapshot.Version;

    public void Dispose()
    {
        var store = Interlocked.Exchange(ref _store, null);
        store?.Release(Snapshot);
    }
}
