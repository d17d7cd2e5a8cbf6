namespace R1Actors.Training.Advantages;

/// <summary>
/// Turns the rewards of one group (the G completions of one prompt) into one advantage per completion.
/// Implementations are pure functions of the group: no state, no randomness.
/// </summary>
public interface IAdvantageEstimator
{
    /// <summary>Short name used in configuration and logs (<c>grpo</c>, <c>dr-grpo</c>, <c>rloo</c>).</summary>
    string Name { get; }

    /// <summary>One advantage per reward, in the same order.</summary>
    double[] Compute(IReadOnlyList<double> groupRewards);
}

/// <summary>Group statistics shared by the estimators.</summary>
public static class GroupStatistics
{
    /// <summary>Rewards that differ by no more than this count as equal (a zero-signal group).</summary>
    public const double EqualityTolerance = 1e-9;

    public static double Mean(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("a group needs at least one reward", nameof(values));
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
            sum += values[i];
        return sum / values.Count;
    }

    /// <summary>Sample standard deviation (Bessel-corrected, divides by n − 1); 0 for a single value.</summary>
    public static double SampleStd(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            return 0.0;
        var mean = Mean(values);
        var squares = 0.0;
        for (var i = 0; i < values.Count; i++)
            squares += (values[i] - mean) * (values[i] - mean);
        return Math.Sqrt(squares / (values.Count - 1));
    }

    /// <summary>
    /// True when every reward in the group is the same: the group-relative advantages are all zero and the
    /// group teaches nothing (counted as <c>frac_reward_zero_std</c>).
    /// </summary>
    public static bool IsZeroSignal(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return true;
        double min = values[0], max = values[0];
        for (var i = 1; i < values.Count; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }
        return max - min <= EqualityTolerance;
    }
}
