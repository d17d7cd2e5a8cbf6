using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// Keys and values of every layer for a batch being generated, allocated once at full length
/// (prompt + new tokens) so that each decoding step writes one slot instead of concatenating.
/// Slot s of row b holds the token fed at step s; <see cref="KeyMask"/> says which slots are real tokens
/// (left padding is not). Rows can be dropped (<see cref="KeepRows"/>) when they finish, so finished
/// samples stop costing attention work.
/// </summary>
public sealed class KvCache : IDisposable, IKeyValueStore
{
    private readonly Tensor[] keys;     // per layer (B, kvH, capacity, D)
    private readonly Tensor[] values;   // per layer (B, kvH, capacity, D)
    private Tensor keyMask;    // (B, capacity) bool
    private readonly bool kernel;

    private KvCache(Tensor[] keys, Tensor[] values, Tensor keyMask, DecodeAttentionPath attention)
    {
        this.keys = keys;
        this.values = values;
        this.keyMask = keyMask;
        kernel = attention == DecodeAttentionPath.Auto;
    }

    /// <summary>Slots filled so far (the same for every row: padding fills slots too).</summary>
    public long Length { get; private set; }

    public long Capacity => keyMask.shape[1];

    public long BatchSize => keyMask.shape[0];

    /// <summary>(B, Length) bool view: true where the slot holds a real token.</summary>
    public Tensor KeyMask => keyMask.narrow(1, 0, Length);

    /// <param name="attention">Who attends decode steps: <see cref="DecodeAttention"/> where it applies, or libtorch.</param>
    public static KvCache Allocate(ModelConfig config, long batch, long capacity, ScalarType dtype, Device device,
        DecodeAttentionPath attention = DecodeAttentionPath.Auto)
    {
        var (keys, values) = LayerTensors(config, batch, capacity, dtype, device);
        return new KvCache(keys, values, zeros([batch, capacity], ScalarType.Bool, device).DetachFromDisposeScope(), attention);
    }

    /// <summary>Zeroed, detached keys and values for every layer, each (rows, kvH, length, D).</summary>
    internal static (Tensor[] Keys, Tensor[] Values) LayerTensors(ModelConfig config, long rows, long length, ScalarType dtype, Device device)
    {
        var shape = new long[] { rows, config.NumKeyValueHeads, length, config.HeadDim };
        var keys = new Tensor[config.NumHiddenLayers];
        var values = new Tensor[config.NumHiddenLayers];
        for (var layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = zeros(shape, dtype, device).DetachFromDisposeScope();
            values[layer] = zeros(shape, dtype, device).DetachFromDisposeScope();
        }
        return (keys, values);
    }

    /// <summary>Records which of the next T slots are real; returns the (B, Length + T) key mask to attend with.</summary>
    internal Tensor BeginStep(Tensor mask)
    {
        var steps = mask.shape[1];
        if (Length + steps > Capacity)
            throw new InvalidOperationException(
                $"KV cache holds {Capacity} slots; {Length} are used and {steps} more were asked for.");
        keyMask.narrow(1, Length, steps).copy_(mask);
        return keyMask.narrow(1, 0, Length + steps);
    }

    /// <summary>Writes layer <paramref name="layer"/>'s (B, kvH, T, D) keys/values after the filled slots and attends to all filled ones.</summary>
    Tensor IKeyValueStore.Attend(int layer, Tensor grouped, Tensor newKeys, Tensor newValues, Tensor blocked)
    {
        var steps = newKeys.shape[2];
        keys[layer].narrow(2, Length, steps).copy_(newKeys);
        values[layer].narrow(2, Length, steps).copy_(newValues);
        if (kernel && steps == 1 && DecodeAttention.Serves(grouped, keys[layer]))     // a decode step on the CPU: each row reads its filled slots
            return DecodeAttention.Attend(grouped, keys[layer], values[layer], Enumerable.Repeat((int)(Length + 1), (int)BatchSize).ToArray(), keyMask);
        return Attention.Attend(grouped, keys[layer].narrow(2, 0, Length + steps), values[layer].narrow(2, 0, Length + steps), blocked);
    }

    internal void EndStep(long steps) => Length += steps;

    /// <summary>Keeps only the rows listed in <paramref name="rows"/> ((R) int64, on the cache's device), in that order.</summary>
    public void KeepRows(Tensor rows)
    {
        using var noGrad = no_grad();
        for (var layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = Replace(keys[layer], keys[layer].index_select(0, rows));
            values[layer] = Replace(values[layer], values[layer].index_select(0, rows));
        }
        keyMask = Replace(keyMask, keyMask.index_select(0, rows));
    }

    private static Tensor Replace(Tensor old, Tensor replacement)
    {
        var kept = replacement.DetachFromDisposeScope();
        old.Dispose();
        return kept;
    }

    public void Dispose()
    {
        foreach (var t in keys.Concat(values).Append(keyMask))
            t.Dispose();
    }
}
