using System.Collections.Concurrent;
using R1Actors.Training.Tests.Support;
using R1Actors.Training.Weights;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Weights;

public class WeightStoreTests
{
    /// <summary>Sets every parameter of the model to <paramref name="value"/>, as a learner step would rewrite them.</summary>
    private static void Fill(nn.Module module, double value)
    {
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
            parameter.fill_(value);
    }

    private static bool AllEqual(WeightSnapshot snapshot, double value) =>
        snapshot.Tensors.Values.All(t => (t == value).all().item<bool>());

    [Fact]
    public void A_reader_keeps_its_version_while_newer_ones_are_published()
    {
        using var model = new TinyDecoder();
        using var store = new WeightStore();
        Fill(model, 1);
        store.Publish(model, 1);
        using var lease = store.Acquire();
        Fill(model, 2);
        store.Publish(model, 2);
        Fill(model, 3);
        store.Publish(model, 3);
        Assert.Equal(1, lease.Version);
        Assert.True(AllEqual(lease.Snapshot, 1));
        Assert.False(lease.Snapshot.IsReleased);
        Assert.Equal(3, store.LatestVersion);
    }

    [Fact]
    public void A_superseded_version_is_freed_when_its_last_reader_lets_go()
    {
        using var model = new TinyDecoder();
        using var store = new WeightStore();
        store.Publish(model, 1);
        var first = store.Acquire();
        var second = store.Acquire();
        var snapshot = first.Snapshot;
        store.Publish(model, 2);
        first.Dispose();
        first.Dispose();                       // disposing twice releases once
        Assert.False(snapshot.IsReleased);
        second.Dispose();
        Assert.True(snapshot.IsReleased);
    }

    [Fact]
    public void An_unread_version_is_freed_as_soon_as_the_next_is_published()
    {
        using var model = new TinyDecoder();
        using var store = new WeightStore();
        store.Publish(model, 1);
        WeightSnapshot first;
        using (var lease = store.Acquire())
            first = lease.Snapshot;
        Assert.False(first.IsReleased);        // still the latest
        store.Publish(model, 2);
        Assert.True(first.IsReleased);
    }

    [Fact]
    public async Task Readers_on_other_threads_never_see_half_updated_weights()
    {
        using var model = PolicyModels.Random(hidden: 64);
        using var store = new WeightStore();
        Fill(model, 0);
        store.Publish(model, 0);
        var seen = new ConcurrentBag<WeightSnapshot>();
        var failures = new ConcurrentBag<string>();
        var reads = 0L;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using var replica = PolicyModels.Random(seed: 99, hidden: 64);
            while (!stop.IsCancellationRequested)
            {
                using var scope = NewDisposeScope();
                using var lease = store.Acquire();
                seen.Add(lease.Snapshot);
                lease.Snapshot.CopyInto(replica);
                if (!replica.parameters().All(p => (p == (double)lease.Version).all().item<bool>()))
                    failures.Add($"replica loaded from version {lease.Version} holds other values");
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        for (var version = 1; version <= 60; version++)
        {
            var readsSoFar = Interlocked.Read(ref reads);
            SpinWait.SpinUntil(() => Interlocked.Read(ref reads) > readsSoFar, TimeSpan.FromSeconds(5));   // interleave with readers
            Fill(model, version);
            store.Publish(model, version);
        }
        stop.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        Assert.True(seen.Select(s => s.Version).Distinct().Count() > 10, "readers saw too few versions to test anything");
        Assert.All(seen.Distinct().Where(s => s.Version < 60), s => Assert.True(s.IsReleased, $"version {s.Version} is still held"));
    }

    [Fact]
    public void Weights_copy_into_a_replica_of_another_dtype()
    {
        using var model = PolicyModels.Random();
        using var replica = PolicyModels.Random(seed: 5, dtype: ScalarType.BFloat16);
        using var store = new WeightStore();
        Fill(model, 0.5);
        store.Publish(model, 7);
        using var lease = store.Acquire();
        lease.Snapshot.CopyInto(replica);
        Assert.All(replica.parameters(), p => Assert.True((p == 0.5).all().item<bool>()));
    }

    [Fact]
    public void A_replica_with_a_different_shape_is_refused_with_the_tensor_name()
    {
        using var model = PolicyModels.Random(hidden: 32);
        using var replica = PolicyModels.Random(hidden: 16);
        using var store = new WeightStore();
        store.Publish(model, 1);
        using var lease = store.Acquire();
        var error = Assert.ThrowsAny<Exception>(() => lease.Snapshot.CopyInto(replica));
        Assert.Contains("model.embed_tokens.weight", error.Message);
    }

    [Fact]
    public void Asking_for_a_version_gives_it_or_a_newer_one_never_an_older_one()
    {
        using var model = PolicyModels.Random();
        using var store = new WeightStore();
        store.Publish(model, 4);
        store.Publish(model, 5);
        using (var lease = store.Acquire(4))
            Assert.Equal(5, lease.Version);
        var error = Assert.Throws<InvalidOperationException>(() => store.Acquire(6));
        Assert.Contains("newest published is 5", error.Message);
    }

    [Fact]
    public void Versions_must_increase_and_reading_before_the_first_publication_is_an_error()
    {
        using var model = new TinyDecoder();
        using var store = new WeightStore();
        Assert.Throws<InvalidOperationException>(() => store.Acquire());
        store.Publish(model, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Publish(model, 3));
    }
}
