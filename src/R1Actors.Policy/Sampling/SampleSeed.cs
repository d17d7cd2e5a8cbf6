namespace R1Actors.Policy.Sampling;

/// <summary>
/// Seeds and uniform draws for sampling. A row's seed derives from (run seed, step, prompt, sample), so any
/// rollout can be reproduced alone; its draws come from its own SplitMix64 stream, so they do not depend on
/// which other rows share the batch. Draws lie in (0, 1) on a 2⁻²⁴ grid: exact in float32, never 0 or 1.
/// </summary>
public static class SampleSeed
{
    public static ulong Derive(ulong runSeed, long step, long prompt, long sample)
    {
        var h = Mix(runSeed ^ 0x5EED5EED5EED5EEDUL);
        h = Mix(h ^ (ulong)step);
        h = Mix(h ^ (ulong)prompt);
        return Mix(h ^ (ulong)sample);
    }

    /// <summary>The first <c>destination.Length</c> draws of the stream seeded with <paramref name="seed"/>, into <paramref name="destination"/>.</summary>
    public static void FillUniforms(ulong seed, Span<float> destination)
    {
        var state = seed;
        for (var i = 0; i < destination.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            destination[i] = ((Mix(state) >> 40) + 0.5f) / (1 << 24);
        }
    }

    /// <summary>SplitMix64's finaliser: a bijective 64-bit mix.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
