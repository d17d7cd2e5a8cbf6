namespace R1Actors.Rewards.MathAnswers;

/// <summary>How math answers are extracted and compared (HOCON <c>r1.rewards.math</c>).</summary>
public sealed record MathSettings
{
    /// <summary>Relative tolerance for values that are not both exact (decimals, π, roots, random-point checks).</summary>
    public double RelativeTolerance { get; init; } = 1e-6;
    /// <summary>Drop units (<c>5\text{ cm}</c>, <c>12 apples</c>) before comparing.</summary>
    public bool StripUnits { get; init; } = true;
    /// <summary>When a completion marks no answer, take its last LaTeX span or number.</summary>
    public bool LastResortExtraction { get; init; } = true;
    /// <summary>Seed of the random points at which algebraic expressions are compared.</summary>
    public int Seed { get; init; } = 20250101;
    /// <summary>How many random points must agree for two algebraic expressions to be equal.</summary>
    public int RandomPoints { get; init; } = 6;
    public MathLimits Limits { get; init; } = new();
    /// <summary>The clock the comparison deadline is measured on (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
