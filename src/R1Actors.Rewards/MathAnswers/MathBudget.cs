namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Bounds on the work one answer comparison may do, so that a hostile or broken answer (a megabyte string,
/// 10,000 nested braces, <c>10^{10^{10}}</c>, <c>9^9^9^9</c>) is answered "not equal" quickly instead of
/// hanging a verifier. Every limit has a reason string that ends up in the reward's reason.
/// </summary>
public sealed record MathLimits
{
    /// <summary>Longest answer (after extraction) that is parsed at all.</summary>
    public int MaxAnswerChars { get; init; } = 2_000;
    /// <summary>Deepest nesting of brackets, braces and operators.</summary>
    public int MaxDepth { get; init; } = 100;
    /// <summary>Most tokens in one answer.</summary>
    public int MaxTokens { get; init; } = 1_000;
    /// <summary>Largest exact intermediate value, in bits (numerator plus denominator).</summary>
    public long MaxExactBits { get; init; } = 65_536;
    /// <summary>Largest integer exponent evaluated exactly; larger ones are evaluated in floating point.</summary>
    public int MaxExactExponent { get; init; } = 10_000;
    /// <summary>Largest n for which n! is computed.</summary>
    public int MaxFactorial { get; init; } = 1_000;
    /// <summary>Wall-clock budget for one comparison.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Thrown inside the math code when a <see cref="MathLimits"/> bound is hit; caught at the API boundary.</summary>
internal sealed class MathLimitException(string reason) : Exception(reason);

/// <summary>Thrown inside the math code for text that is not an answer we can read; caught at the API boundary.</summary>
internal sealed class MathParseException(string reason) : Exception(reason);

/// <summary>The running counters of one comparison against its <see cref="MathLimits"/>.</summary>
internal sealed class MathBudget(MathLimits limits, TimeProvider clock)
{
    private readonly long _started = clock.GetTimestamp();
    private int _steps;

    public MathLimits Limits { get; } = limits;

    /// <summary>Called at every parse and evaluation step; checks the clock every 256 steps.</summary>
    public void Tick()
    {
        if ((++_steps & 0xFF) == 0 && clock.GetElapsedTime(_started) > Limits.Deadline)
        {
            throw new MathLimitException($"comparison exceeded its {Limits.Deadline.TotalMilliseconds:0} ms deadline");
        }
    }

    public void CheckDepth(int depth)
    {
        if (depth > Limits.MaxDepth) throw new MathLimitException($"answer nests deeper than {Limits.MaxDepth} levels");
    }

    public Rational CheckSize(Rational value)
    {
        if (value.Bits > Limits.MaxExactBits) throw new MathLimitException($"an exact value exceeds {Limits.MaxExactBits} bits");
        return value;
    }
}
