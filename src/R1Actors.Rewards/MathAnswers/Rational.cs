using System.Numerics;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// An exact rational number p/q (q &gt; 0, reduced), for comparing answers without rounding: 0.5, 1/2 and
/// \frac{2}{4} are the same value. Sizes are bounded by the caller (<see cref="MathBudget"/>).
/// </summary>
internal readonly record struct Rational
{
    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero) { numerator /= g; denominator /= g; }
        Numerator = numerator;
        Denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    public static Rational Zero => new(BigInteger.Zero, BigInteger.One);
    public static Rational One => new(BigInteger.One, BigInteger.One);
    public static Rational FromInteger(BigInteger value) => new(value, BigInteger.One);

    public bool IsInteger => Denominator.IsOne;
    public bool IsZero => Numerator.IsZero;
    public int Sign => Numerator.Sign;

    /// <summary>Bits needed for the numerator and denominator together: the size the budget limits.</summary>
    public long Bits => (long)(Numerator.IsZero ? 0 : BigInteger.Abs(Numerator).GetBitLength()) + (long)Denominator.GetBitLength();

    public static Rational operator +(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Rational operator -(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Rational operator *(Rational a, Rational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);
    public static Rational operator /(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);
    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator);

    /// <summary>a^n for an integer n (the caller bounds n and the size of the result).</summary>
    public Rational Pow(int n)
    {
        if (n == 0) return One;
        var num = BigInteger.Pow(Numerator, Math.Abs(n));
        var den = BigInteger.Pow(Denominator, Math.Abs(n));
        return n > 0 ? new Rational(num, den) : new Rational(den, num);
    }

    /// <summary>The exact k-th root when it is rational (√(9/4) = 3/2), else null.</summary>
    public Rational? ExactRoot(int k)
    {
        if (Sign < 0 && k % 2 == 0) return null;
        var num = IntegerRoot(BigInteger.Abs(Numerator), k);
        var den = IntegerRoot(Denominator, k);
        if (num is null || den is null) return null;
        return new Rational(Sign < 0 ? -num.Value : num.Value, den.Value);
    }

    private static BigInteger? IntegerRoot(BigInteger value, int k)
    {
        if (value.IsZero || value.IsOne) return value;
        var guess = new BigInteger(Math.Round(Math.Exp(BigInteger.Log(value) / k)));
        for (var candidate = BigInteger.Max(guess - 2, BigInteger.Zero); candidate <= guess + 2; candidate++)
        {
            if (BigInteger.Pow(candidate, k) == value) return candidate;
        }
        return null;
    }

    public double ToDouble()
    {
        var value = (double)Numerator / (double)Denominator;
        if (!double.IsNaN(value)) return value;
        // Both parts overflow a double: scale by the bit lengths first.
        var bits = Math.Max((long)BigInteger.Abs(Numerator).GetBitLength(), (long)Denominator.GetBitLength());
        var shift = (int)Math.Max(0, bits - 1000);
        return (double)(Numerator >> shift) / (double)(Denominator >> shift);
    }

    public override string ToString() => IsInteger ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
