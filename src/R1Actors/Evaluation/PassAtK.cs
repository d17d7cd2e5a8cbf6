namespace R1Actors.Evaluation;

/// <summary>
/// The unbiased pass@k estimator (Chen et al., 2021): with n samples of a prompt of which c are correct,
/// pass@k = 1 − C(n−c, k) / C(n, k), the chance that k samples drawn without replacement hold at least one
/// correct one. Computed as a product, 1 − ∏_{i=n−c+1..n} (1 − k/i), which never forms large binomials.
/// Example: n = 4, c = 1, k = 2 → 1 − C(3,2)/C(4,2) = 1 − 3/6 = 0.5.
/// </summary>
public static class PassAtK
{
    public static double Estimate(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(c, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        if (n - c < k)
        {
            return 1.0;
        }
        var allWrong = 1.0;
        for (var i = n - c + 1; i <= n; i++)
        {
            allWrong *= 1.0 - (double)k / i;
        }
        return 1.0 - allWrong;
    }

    /// <summary>The mean of pass@k over prompts, each given as (samples, correct).</summary>
    public static double Mean(IEnumerable<(int Samples, int Correct)> prompts, int k)
    {
        var values = prompts.Select(p => Estimate(p.Samples, p.Correct, k)).ToList();
        return values.Count == 0 ? 0.0 : values.Average();
    }
}
