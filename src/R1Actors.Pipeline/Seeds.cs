namespace R1Actors.Pipeline;

/// <summary>
/// Seed derivation: every random choice in R1Actors is a pure function of the run's seeds and where it happens,
/// so any shuffle or rollout can be reproduced and nothing needs a generator state in the checkpoint.
/// Mixing is SplitMix64's finaliser applied in sequence (strong avalanche, no collisions for small inputs).
/// </summary>
public static class Seeds
{
    /// <summary>The seed of one prompt's samples: (run seed, weights version, prompt ordinal).</summary>
    public static ulong ForPrompt(ulong runSeed, long policyVersion, long ordinal) =>
        Mix(Mix(Mix(runSeed, 0x5A4D_504C), (ulong)policyVersion), (ulong)ordinal);

    /// <summary>The seed of sample <paramref name="sampleIndex"/> of a prompt whose seed is <paramref name="promptSeed"/>.</summary>
    public static ulong ForSample(ulong promptSeed, int sampleIndex) => Mix(promptSeed, (ulong)sampleIndex);

    /// <summary>The seed of an epoch's shuffle.</summary>
    public static ulong ForEpoch(ulong dataSeed, long epoch) => Mix(Mix(dataSeed, 0x45504F43), (ulong)epoch);

    /// <summary>Combines a seed with one more value.</summary>
    public static ulong Mix(ulong seed, ulong value) => Finalise(seed ^ Finalise(value + 0x9E3779B97F4A7C15UL));

    private static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// A small, fast, seedable generator (SplitMix64) whose whole state is one <see cref="ulong"/>; used where a
/// sequence of draws is needed (shuffles, generated problems). Same seed, same sequence, on every platform.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="exclusiveMax"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        var bound = (ulong)exclusiveMax;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var product = Math.BigMul(NextUInt64(), bound, out var low);
            if (low >= threshold)
                return (int)product;
        }
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>], both inclusive.</summary>
    public int NextInclusive(int min, int max) => min + NextInt(max - min + 1);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
