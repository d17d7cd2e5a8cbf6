using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// One decode step's attention on the CPU in float32, written out instead of libtorch's batched matmuls. Each
/// (row, kv head) pair reads its keys and then its values once, front to back, exactly as far as the row reaches,
/// and serves the G query heads that share the kv head from the same read:
/// <code>
/// s[g, p] = q[g] · k[p]              (p &lt; length, not masked; float.MinValue where masked)
/// e[g, p] = exp(s[g, p] − max_p s[g, ·])
/// out[g]  = Σ_p e[g, p] · v[p] / Σ_p e[g, p]
/// </code>
/// the same softmax as <see cref="Attention.Attend"/> (masked scores at float32's minimum, so a row with every key
/// masked averages its values instead of turning into NaN), summed in another order: results agree to float32
/// rounding, not bit for bit.
/// Why: a decode step's attention is a matrix-vector product per (row, head) over keys of 32–128 floats, which
/// MKL's batched gemv reads at about 12 GB/s on the development machine, where one core streams 26–28 GB/s (and two
/// 47–50 GB/s); with long rows in flight that read is most of a small model's step. Continuous batching also
/// stops paying for segment padding: every row reads its own length, whatever its neighbours'. Pairs are split
/// over the threads configured for libtorch (<see cref="Sampling.ForwardThreads"/>: also where a small step runs
/// libtorch itself on one) once a step reads enough keys, each pair on one thread, so a row's result never
/// depends on the split.
/// Used only where it applies (<see cref="Serves"/>): CPU, float32, one new token per row, each layer's keys and
/// values one contiguous store of at most 2 GB. Elsewhere (CUDA, 16-bit, prefill) libtorch's path runs.
/// </summary>
internal static unsafe class DecodeAttention
{
    /// <summary>Below this many key positions × query heads a step stays on one thread: splitting costs more than it saves.</summary>
    private const long PositionsPerExtraThread = 16_384;

    [ThreadStatic] private static float[]? scratch;

    /// <summary>The threads this thread's decode steps may split over; 0 = libtorch's count. Set by <see cref="Sampling.ForwardThreads"/>.</summary>
    [ThreadStatic] internal static int StepThreads;

    /// <summary>Whether the kernel can read a layer's (N, kvH, L, D) store: float32 on the CPU, contiguous, at most 2 GB.</summary>
    public static bool ServesStore(Tensor store) =>
        store.device_type == TorchSharp.DeviceType.CPU && store.dtype == ScalarType.Float32 && store.dim() == 4
        && store.is_contiguous() && store.NumberOfElements * sizeof(float) <= int.MaxValue;

    /// <summary>Whether the kernel serves grouped queries (R, kvH, G, D) against a layer's (N, kvH, L, D) store.</summary>
    public static bool Serves(Tensor grouped, Tensor store) =>
        ServesStore(store) && grouped.device_type == TorchSharp.DeviceType.CPU && grouped.dtype == ScalarType.Float32
        && grouped.dim() == 4 && grouped.shape[1] == store.shape[1] && grouped.shape[3] == store.shape[3] && grouped.shape[0] <= store.shape[0];

    /// <summary>
    /// grouped (R, kvH, G, D) queries (already scaled), a layer's keys and values (N, kvH, L, D) → (R, kvH, G, D):
    /// row r attends positions [0, <paramref name="lengths"/>[r]) of store row r, less those where
    /// <paramref name="keyMask"/> (N, L') bool, L' ≥ every length, is false. A row of length 0 gets zeros.
    /// </summary>
    public static Tensor Attend(Tensor grouped, Tensor keys, Tensor values, int[] lengths, Tensor? keyMask = null)
    {
        using var scope = NewDisposeScope();
        var queries = grouped.contiguous();
        int rows = (int)queries.shape[0], kvHeads = (int)queries.shape[1], groups = (int)queries.shape[2], d = (int)queries.shape[3];
        int slotTokens = (int)keys.shape[2];
        if (lengths.Length != rows || lengths.Any(l => l < 0 || l > slotTokens))
            throw new ArgumentException($"decode attention: {lengths.Length} lengths for {rows} rows, each within 0 … {slotTokens}");
        var mask = keyMask?.contiguous();
        var output = empty([rows, kvHeads, groups, d], ScalarType.Float32);
        var job = new Job(Pointer(queries), Pointer(keys), Pointer(values), Pointer(output),
            mask is null ? null : (byte*)Pointer(mask), mask is null ? 0 : (int)mask.shape[1],
            kvHeads, groups, d, slotTokens, lengths);
        var pairs = rows * kvHeads;
        var work = lengths.Sum(l => (long)l) * kvHeads * groups;
        var threads = (int)Math.Clamp(Math.Min(StepThreads > 0 ? StepThreads : get_num_threads(), work / PositionsPerExtraThread + 1), 1, pairs);
        if (threads == 1)
            job.Run(0, pairs);
        else
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                part => job.Run(pairs * part / threads, pairs * (part + 1) / threads));
        return output.MoveToOuterDisposeScope();
    }

    private static float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>One step's pointers and sizes; <see cref="Run"/> attends (row, kv head) pairs [first, last).</summary>
    private readonly struct Job(float* queries, float* keys, float* values, float* output, byte* mask, int maskStride,
        int kvHeads, int groups, int d, int slotTokens, int[] lengths)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int first, int last)
        {
            var longest = lengths.Max();
            var need = (groups + 1) * longest;                          // scores (G, longest), then a row of zeros
            if (scratch is null || scratch.Length < need)
                scratch = new float[Math.Max(need, 4096)];
            Span<float> unused = stackalloc float[d];                   // where padding query heads of a block of 4 write
            fixed (float* scores = scratch)
            fixed (float* sink = unused)
            {
                for (var pair = first; pair < last; pair++)
                {
                    int row = pair / kvHeads, length = lengths[row];
                    var store = (long)pair * slotTokens * d;            // (row, head, position 0) of a (N, kvH, L, D) store
                    var q = queries + (long)pair * groups * d;          // (G, D)
                    var o = output + (long)pair * groups * d;           // (G, D)
                    if (length == 0)
                        new Span<float>(o, groups * d).Clear();
                    else
                        Pair(q, keys + store, values + store, mask is null ? null : mask + (long)row * maskStride, length, o, scores, sink);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Pair(float* q, float* k, float* v, byte* rowMask, int length, float* o, float* scores, float* sink)
        {
            Scores(q, k, rowMask, length, scores);                       // (G, length)
            Span<float> inverse = stackalloc float[groups];
            for (var g = 0; g < groups; g++)
                inverse[g] = 1f / ExpAgainstMax(scores + g * length, length);
            if (groups == 1)
                Weighted(scores, v, length, d, o);
            else
            {
                var zeros = scores + groups * length;                    // the weights of a padding query head
                new Span<float>(zeros, length).Clear();
                for (var g = 0; g < groups; g += 4)
                    Weighted4(Row(scores, g, length, zeros), Row(scores, g + 1, length, zeros), Row(scores, g + 2, length, zeros),
                        Row(scores, g + 3, length, zeros), v, length, d,
                        Row(o, g, d, sink), Row(o, g + 1, d, sink), Row(o, g + 2, d, sink), Row(o, g + 3, d, sink));
            }
            for (var g = 0; g < groups; g++)
                Scale(o + g * d, inverse[g], d);
        }

        /// <summary>Row g of a (G, width) block, or <paramref name="padding"/> past the last query head.</summary>
        private float* Row(float* block, int g, int width, float* padding) => g < groups ? block + g * width : padding;

        /// <summary>s[g, p] = q[g] · k[p] for p &lt; length (float.MinValue where masked): four key rows at a time, each read once for all G query heads.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Scores(float* q, float* k, byte* rowMask, int length, float* s)
        {
            var p = 0;
            if (Avx.IsSupported && d % 8 == 0)
                for (; p + 4 <= length; p += 4)
                {
                    var k0 = k + (long)p * d;
                    for (var g = 0; g < groups; g++)
                    {
                        var qg = q + g * d;
                        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                        for (var i = 0; i < d; i += 8)
                        {
                            var x = Vector256.Load(qg + i);
                            a0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k0 + i), a0);
                            a1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k0 + d + i), a1);
                            a2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k0 + 2 * d + i), a2);
                            a3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k0 + 3 * d + i), a3);
                        }
                        var h = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));   // (Σa0 Σa1 Σa2 Σa3) per 128-bit half
                        (h.GetLower() + h.GetUpper()).Store(s + g * length + p);
                    }
                }
            for (; p < length; p++)
                for (var g = 0; g < groups; g++)
                    s[g * length + p] = Dot(q + g * d, k + (long)p * d, d);
            if (rowMask is null)
                return;
            for (p = 0; p < length; p++)
                if (rowMask[p] == 0)
                    for (var g = 0; g < groups; g++)
                        s[g * length + p] = float.MinValue;
        }
    }

    /// <summary>
    /// o_j = Σ_p w_j[p] · v[p] for four query heads j at once, 16 columns at a time in registers: each value row is read
    /// once per 16 columns for all four (a padding head has weights of 0 and writes where nobody reads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Weighted4(float* w0, float* w1, float* w2, float* w3, float* v, int length, int d,
        float* o0, float* o1, float* o2, float* o3)
    {
        var c = 0;
        for (; c + 16 <= d; c += 16)
        {
            Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            for (var p = 0; p < length; p++)
            {
                var vp = v + (long)p * d + c;
                Vector256<float> x0 = Vector256.Load(vp), x1 = Vector256.Load(vp + 8);
                var b = Vector256.Create(w0[p]);
                a00 = Vector256.FusedMultiplyAdd(b, x0, a00);
                a01 = Vector256.FusedMultiplyAdd(b, x1, a01);
                b = Vector256.Create(w1[p]);
                a10 = Vector256.FusedMultiplyAdd(b, x0, a10);
                a11 = Vector256.FusedMultiplyAdd(b, x1, a11);
                b = Vector256.Create(w2[p]);
                a20 = Vector256.FusedMultiplyAdd(b, x0, a20);
                a21 = Vector256.FusedMultiplyAdd(b, x1, a21);
                b = Vector256.Create(w3[p]);
                a30 = Vector256.FusedMultiplyAdd(b, x0, a30);
                a31 = Vector256.FusedMultiplyAdd(b, x1, a31);
            }
            a00.Store(o0 + c);
            a01.Store(o0 + c + 8);
            a10.Store(o1 + c);
            a11.Store(o1 + c + 8);
            a20.Store(o2 + c);
            a21.Store(o2 + c + 8);
            a30.Store(o3 + c);
            a31.Store(o3 + c + 8);
        }
        for (; c < d; c++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (var p = 0; p < length; p++)
            {
                var x = v[(long)p * d + c];
                s0 += w0[p] * x;
                s1 += w1[p] * x;
                s2 += w2[p] * x;
                s3 += w3[p] * x;
            }
            (o0[c], o1[c], o2[c], o3[c]) = (s0, s1, s2, s3);
        }
    }

    /// <summary>o = Σ_p w[p] · v[p] over p &lt; length, 32 columns at a time in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Weighted(float* w, float* v, int length, int d, float* o)
    {
        var c = 0;
        for (; c + 32 <= d; c += 32)
        {
            // Two positions a round into two sets of accumulators: a chain of FMAs on one set waits out each one's latency.
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            var p = 0;
            for (; p + 2 <= length; p += 2)
            {
                var vp = v + (long)p * d + c;
                Vector256<float> x = Vector256.Create(w[p]), y = Vector256.Create(w[p + 1]);
                a0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp), a0);
                a1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp + 24), a3);
                b0 = Vector256.FusedMultiplyAdd(y, Vector256.Load(vp + d), b0);
                b1 = Vector256.FusedMultiplyAdd(y, Vector256.Load(vp + d + 8), b1);
                b2 = Vector256.FusedMultiplyAdd(y, Vector256.Load(vp + d + 16), b2);
                b3 = Vector256.FusedMultiplyAdd(y, Vector256.Load(vp + d + 24), b3);
            }
            if (p < length)
            {
                var vp = v + (long)p * d + c;
                var x = Vector256.Create(w[p]);
                a0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp), a0);
                a1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(vp + 24), a3);
            }
            (a0 + b0).Store(o + c);
            (a1 + b1).Store(o + c + 8);
            (a2 + b2).Store(o + c + 16);
            (a3 + b3).Store(o + c + 24);
        }
        if (c == d)
            return;
        new Span<float>(o + c, d - c).Clear();
        for (var p = 0; p < length; p++)
            if (w[p] != 0)
                Axpy(w[p], v + (long)p * d + c, o + c, d - c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* a, float* b, int n)
    {
        var i = 0;
        var sum = Vector256<float>.Zero;
        for (; i + 8 <= n; i += 8)
            sum = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), sum);
        var total = Vector256.Sum(sum);
        for (; i < n; i++)
            total += a[i] * b[i];
        return total;
    }

    /// <summary>x[i] ← exp(x[i] − max x) in place; returns Σ x[i] after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpAgainstMax(float* x, int n)
    {
        var i8 = 0;
        var lanes = Vector256.Create(float.MinValue);
        for (; i8 + 8 <= n; i8 += 8)
            lanes = Vector256.Max(lanes, Vector256.Load(x + i8));
        var max = float.MinValue;
        for (var lane = 0; lane < 8; lane++)
            max = Math.Max(max, lanes[lane]);
        for (; i8 < n; i8++)
            max = Math.Max(max, x[i8]);
        i8 = 0;
        var sum = Vector256<float>.Zero;
        var top = Vector256.Create(max);
        for (; i8 + 8 <= n; i8 += 8)
        {
            var e = Exp(Vector256.Load(x + i8) - top);
            e.Store(x + i8);
            sum += e;
        }
        var total = Vector256.Sum(sum);
        for (; i8 < n; i8++)
        {
            x[i8] = MathF.Exp(x[i8] - max);
            total += x[i8];
        }
        return total;
    }

    /// <summary>
    /// e^x for x ≤ 0, within 2 ulp of float32's e^x (Cephes' expf: x = n·ln 2 + r, |r| ≤ ln 2 / 2, e^r by its degree-5
    /// minimax polynomial, 2^n put into the exponent bits); 0 below −87.3, where float32's e^x is no longer normal.
    /// Written out rather than <see cref="Vector256.Exp(Vector256{float})"/>, which the runtime starts from generic
    /// precompiled code: a decode step must run at full speed from its first call, not after the runtime has
    /// recompiled its callees (the tiny model's 10-token decode ran at 16,800–18,400 tokens/s on Vector256.Exp
    /// against 22,400–23,500 through libtorch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        var n = Vector256.Round(x * Vector256.Create(1.44269504088896341f));                    // x / ln 2, to nearest
        var r = x - n * Vector256.Create(0.693359375f) - n * Vector256.Create(-2.12194440e-4f);   // ln 2 in two parts
        var p = Vector256.Create(1.9875691500e-4f);
        p = p * r + Vector256.Create(1.3981999507e-3f);
        p = p * r + Vector256.Create(8.3334519073e-3f);
        p = p * r + Vector256.Create(4.1665795894e-2f);
        p = p * r + Vector256.Create(1.6666665459e-1f);
        p = p * r + Vector256.Create(5.0000001201e-1f);
        var e = p * (r * r) + r + Vector256<float>.One;
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();   // 2^n
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-87.3f)), Vector256<float>.Zero, e * scale);
    }

    /// <summary>y ← y + a·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy(float a, float* x, float* y, int n)
    {
        var i = 0;
        var scale = Vector256.Create(a);
        for (; i + 8 <= n; i += 8)
            Vector256.FusedMultiplyAdd(scale, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
        for (; i < n; i++)
            y[i] += a * x[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(float* x, float a, int n)
    {
        for (var i = 0; i < n; i++)
            x[i] *= a;
    }
}

/// <summary><c>r1.sampling.decode-attention</c>: which code attends a decode step's queries to the cache.</summary>
public enum DecodeAttentionPath
{
    /// <summary><see cref="DecodeAttention"/> where it applies (CPU, float32), libtorch's matmuls elsewhere.</summary>
    Auto,

    /// <summary>libtorch's matmuls everywhere: the reference the kernel is tested against, and a way back should it misbehave.</summary>
    Libtorch,
}
