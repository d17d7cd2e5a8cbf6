using System.Numerics;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Evaluates an expression in complex floating point with values bound to its variables: the fallback
/// for π, roots, trigonometry and algebraic expressions (compared at random points). Overflow gives
/// infinity and undefined operations NaN, which the comparer treats as "cannot tell".
/// </summary>
internal sealed class NumericEvaluator(MathBudget budget, IReadOnlyDictionary<string, double> variables)
{
    public Complex Evaluate(Expr expr)
    {
        budget.Tick();
        return expr switch
        {
            NumberExpr n => n.Value.ToDouble(),
            VariableExpr v => variables.TryGetValue(v.Name, out var value) ? value : double.NaN,
            ConstantExpr c => c.Constant switch
            {
                MathConstant.Pi => Math.PI,
                MathConstant.E => Math.E,
                _ => double.PositiveInfinity,
            },
            NegateExpr n => Negate(Evaluate(n.Operand)),
            PercentExpr p => Evaluate(p.Operand) / 100.0,
            BinaryExpr b => Binary(b.Op, Evaluate(b.Left), Evaluate(b.Right)),
            FunctionExpr f => Function(f.Name, f.Args.Select(Evaluate).ToArray()),
            _ => double.NaN,
        };
    }

    private static Complex Negate(Complex value) => value.Imaginary == 0 ? new Complex(-value.Real, 0) : -value;

    private static Complex Binary(BinaryOp op, Complex left, Complex right) => op switch
    {
        BinaryOp.Add => left + right,
        BinaryOp.Subtract => left - right,
        BinaryOp.Multiply => left * right,
        BinaryOp.Divide => right == Complex.Zero ? double.NaN : left / right,
        _ => Power(left, right),
    };

    private static Complex Power(Complex left, Complex right)
    {
        if (left.Imaginary == 0 && right.Imaginary == 0 && (left.Real >= 0 || right.Real == Math.Round(right.Real)))
        {
            return Math.Pow(left.Real, right.Real);
        }
        return Complex.Pow(left, right);
    }

    private static Complex Function(string name, Complex[] args) => name switch
    {
        "sqrt" => Root(args[0], 2),
        "root" => Root(args[1], args[0].Real),
        "sin" => Complex.Sin(args[0]),
        "cos" => Complex.Cos(args[0]),
        "tan" => Complex.Tan(args[0]),
        "sec" => 1 / Complex.Cos(args[0]),
        "csc" => 1 / Complex.Sin(args[0]),
        "cot" => 1 / Complex.Tan(args[0]),
        "arcsin" => Complex.Asin(args[0]),
        "arccos" => Complex.Acos(args[0]),
        "arctan" => Complex.Atan(args[0]),
        "ln" => Complex.Log(args[0]),
        "log" => Complex.Log(args[1]) / Complex.Log(args[0]),
        "exp" => Complex.Exp(args[0]),
        "abs" => Complex.Abs(args[0]),
        "fact" => Factorial(args[0]),
        "binom" => Factorial(args[0]) / (Factorial(args[1]) * Factorial(args[0] - args[1])),
        _ => double.NaN,
    };

    private static Complex Root(Complex value, double index)
    {
        if (value.Imaginary == 0 && value.Real >= 0) return Math.Pow(value.Real, 1 / index);
        if (value.Imaginary == 0 && index % 2 == 1) return -Math.Pow(-value.Real, 1 / index);
        return Complex.Pow(value, 1 / index);
    }

    private static Complex Factorial(Complex n)
    {
        if (n.Imaginary != 0 || n.Real < 0 || n.Real != Math.Round(n.Real)) return double.NaN;
        if (n.Real > 170) return double.PositiveInfinity;
        var product = 1.0;
        for (var k = 2; k <= (int)n.Real; k++) product *= k;
        return product;
    }
}
