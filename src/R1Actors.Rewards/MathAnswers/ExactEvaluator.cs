using System.Numerics;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Evaluates an expression to an exact rational when it has one: arithmetic, integer powers within the
/// budget, rational roots (√(9/4) = 3/2, 8^{1/3} = 2), factorials and binomials. Anything else (variables,
/// π, irrational roots, powers too large to hold) gives null and is left to <see cref="NumericEvaluator"/>.
/// </summary>
internal sealed class ExactEvaluator(MathBudget budget)
{
    public Rational? Evaluate(Expr expr)
    {
        budget.Tick();
        return expr switch
        {
            NumberExpr n => n.Value,
            NegateExpr n => Evaluate(n.Operand) is { } v ? -v : null,
            PercentExpr p => Evaluate(p.Operand) is { } v ? v / Rational.FromInteger(100) : null,
            BinaryExpr b => Binary(b),
            FunctionExpr f => Function(f),
            _ => null,
        };
    }

    private Rational? Binary(BinaryExpr b)
    {
        if (Evaluate(b.Left) is not { } left || Evaluate(b.Right) is not { } right) return null;
        Rational? result = b.Op switch
        {
            BinaryOp.Add => left + right,
            BinaryOp.Subtract => left - right,
            BinaryOp.Multiply => left * right,
            BinaryOp.Divide => right.IsZero ? null : left / right,
            _ => Power(left, right),
        };
        return result is { } r && r.Bits <= budget.Limits.MaxExactBits ? r : null;
    }

    private Rational? Power(Rational baseValue, Rational exponent)
    {
        if (exponent.Denominator > 12 || BigInteger.Abs(exponent.Numerator) > budget.Limits.MaxExactExponent) return null;
        var n = (int)exponent.Numerator;
        if (baseValue.IsZero) return n > 0 ? Rational.Zero : null;
        if (baseValue.Bits * (long)Math.Abs(n) > budget.Limits.MaxExactBits) return null;
        var powered = baseValue.Pow(n);
        return exponent.IsInteger ? powered : powered.ExactRoot((int)exponent.Denominator);
    }

    private Rational? Function(FunctionExpr f)
    {
        var args = new Rational[f.Args.Count];
        for (var i = 0; i < args.Length; i++)
        {
            if (Evaluate(f.Args[i]) is not { } value) return null;
            args[i] = value;
        }
        return f.Name switch
        {
            "sqrt" => args[0].ExactRoot(2),
            "root" when args[0].IsInteger && args[0].Numerator > 0 && args[0].Numerator <= 64 => args[1].ExactRoot((int)args[0].Numerator),
            "abs" => args[0].Sign < 0 ? -args[0] : args[0],
            "fact" => Factorial(args[0]),
            "binom" => Binomial(args[0], args[1]),
            _ => null,
        };
    }

    private Rational? Factorial(Rational n)
    {
        if (!n.IsInteger || n.Sign < 0 || n.Numerator > budget.Limits.MaxFactorial) return null;
        var product = BigInteger.One;
        for (var k = 2; k <= (int)n.Numerator; k++) { product *= k; budget.Tick(); }
        var result = Rational.FromInteger(product);
        return result.Bits <= budget.Limits.MaxExactBits ? result : null;
    }

    private Rational? Binomial(Rational n, Rational k)
    {
        if (!n.IsInteger || !k.IsInteger || k.Sign < 0 || k.Numerator > n.Numerator || n.Numerator > budget.Limits.MaxFactorial) return null;
        var result = BigInteger.One;
        var kk = (int)BigInteger.Min(k.Numerator, n.Numerator - k.Numerator);
        for (var i = 1; i <= kk; i++) { result = result * (n.Numerator - kk + i) / i; budget.Tick(); }
        return Rational.FromInteger(result);
    }

    /// <summary>Whether the expression contains a literal written with a decimal point or an exponent (an approximation).</summary>
    public static bool HasDecimal(Expr expr) => expr switch
    {
        NumberExpr n => n.Decimal,
        NegateExpr n => HasDecimal(n.Operand),
        PercentExpr p => HasDecimal(p.Operand),
        BinaryExpr b => HasDecimal(b.Left) || HasDecimal(b.Right),
        FunctionExpr f => f.Args.Any(HasDecimal),
        _ => false,
    };
}
