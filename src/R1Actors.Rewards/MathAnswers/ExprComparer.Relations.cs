using System.Numerics;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Relations read as values: solved forms (<c>x = 3</c>), labels (<c>(p,q) = (3,2)</c>), chains judged by
/// their last side, and inequalities on one variable as the intervals they describe.
/// </summary>
internal sealed partial class ExprComparer
{
    private static readonly Expr Infinity = new ConstantExpr(MathConstant.Infinity);
    private static readonly Expr MinusInfinity = new NegateExpr(Infinity);

    /// <summary>What a relation stands for when compared with a value: its solved value, else its interval.</summary>
    private static Expr? ValueOf(RelationExpr r) => SolvedValue(r) ?? Interval(r)?.Set;

    /// <summary>
    /// The value a relation names: <c>x = 3</c> → 3, <c>(p,q) = (3,2)</c> → (3,2), <c>f(x) = 2x</c> → 2x,
    /// <c>x \in (1,2)</c> → (1,2), <c>3 = x</c> → 3, <c>5+5+1 = 11</c> → 11, and a chain <c>x = 5+5+1 = 11</c> → 11 (its last side);
    /// null for other relations (<c>x + y = 1</c>, <c>x &gt; 3</c>, and <c>7 = 11a+c</c>, an equation to solve, not a value).
    /// </summary>
    private static Expr? SolvedValue(RelationExpr r)
    {
        if (r.Ops.Count > 1) return r.Ops.All(op => op == "=") ? r.Operands[^1] : null;
        if (r.Ops[0] is not ("=" or "∈")) return null;
        if (IsNamed(r.Operands[0])) return r.Operands[1];
        if (r.Operands[1] is VariableExpr) return r.Operands[0];
        return r.Ops[0] == "=" && IsBound(r.Operands[0]) && IsBound(r.Operands[1]) ? r.Operands[1] : null;
    }

    /// <summary>
    /// A variable, a tuple of variables (<c>(p,q)</c>), <c>f(x)</c> (read as a product of letters), and a quantity
    /// named by letters alone: a segment <c>AB</c>, its length <c>|AB|</c>, a ratio <c>\frac{NO}{BO}</c>.
    /// </summary>
    private static bool IsNamed(Expr e) =>
        e is VariableExpr or BinaryExpr { Op: BinaryOp.Multiply, Left: VariableExpr, Right: VariableExpr or NumberExpr }
        || (e is TupleExpr { Open: '(', Close: ')' } t && t.Items.All(i => i is VariableExpr))
        || IsLetters(e)
        || (e is FunctionExpr { Name: "abs", Args: [var inside] } && IsLetters(inside))
        || (e is BinaryExpr { Op: BinaryOp.Divide } d && IsLetters(d.Left) && IsLetters(d.Right));

    /// <summary>A product of variables only: <c>MBCN</c>.</summary>
    private static bool IsLetters(Expr e) =>
        e is VariableExpr || (e is BinaryExpr { Op: BinaryOp.Multiply } m && IsLetters(m.Left) && IsLetters(m.Right));

    /// <summary>The name a solved relation gives: <c>x</c>, <c>(p,q)</c>; null for <c>f(x)</c> and for unnamed chains.</summary>
    /// <example><c>(p, q) = (3, 2)</c> → <c>"(p,q)"</c>.</example>
    private static string? Label(RelationExpr r) => r.Operands[0] switch
    {
        VariableExpr v => v.Name,
        TupleExpr t when IsNamed(t) => "(" + string.Join(",", t.Items.Select(i => ((VariableExpr)i).Name)) + ")",
        _ => null,
    };

    private bool RelationsEqual(RelationExpr x, RelationExpr y)
    {
        if (SolvedValue(x) is { } xv && SolvedValue(y) is { } yv && Label(x) is { } xn && Label(y) is { } yn)
        {
            return xn == yn && Equal(xv, yv);
        }
        if (Interval(x) is { } xs && Interval(y) is { } ys) return xs.Name == ys.Name && Equal(xs.Set, ys.Set);
        var (xo, xops) = PointLeft(x);
        var (yo, yops) = PointLeft(y);
        if (!xops.SequenceEqual(yops)) return false;
        if (xops.Count > 1) return Pairwise(xo, yo);
        var inequality = xops[0] is "<" or "≤";
        return ProportionalDifferences(
            new BinaryExpr(BinaryOp.Subtract, xo[0], xo[1]), new BinaryExpr(BinaryOp.Subtract, yo[0], yo[1]), positiveOnly: inequality);
    }

    /// <summary>Rewrites <c>a &gt; b</c> chains as <c>b &lt; a</c> so both sides use the same direction.</summary>
    private static (IReadOnlyList<Expr> Operands, IReadOnlyList<string> Ops) PointLeft(RelationExpr r)
    {
        if (!r.Ops.All(op => op is ">" or "≥")) return (r.Operands, r.Ops);
        return (r.Operands.Reverse().ToList(), r.Ops.Reverse().Select(op => op == ">" ? "<" : "≤").ToList());
    }

    /// <summary>
    /// The set an inequality on one variable describes, with the variable's name: <c>-2 \le x &lt; 7</c> →
    /// <c>[-2,7)</c>, <c>x \ge 3</c> → <c>[3,∞)</c>, <c>x \ne 2</c> → <c>(-∞,2) ∪ (2,∞)</c>, <c>x \in S</c> → S.
    /// Null when a bound holds a variable or the relation is not of these forms.
    /// </summary>
    private static (string Name, Expr Set)? Interval(RelationExpr r)
    {
        var (operands, ops) = PointLeft(r);
        if (ops.Count == 2)
        {
            if (!ops.All(IsLess) || !IsNamed(operands[1]) || !IsBound(operands[0]) || !IsBound(operands[2])) return null;
            return (NameOf(operands[1]), Range(ops[0], operands[0], ops[1], operands[2]));
        }
        if (ops.Count != 1) return null;
        var (op, left, right) = (ops[0], operands[0], operands[1]);
        if (op == "∈") return left is VariableExpr member ? (member.Name, right) : null;
        if (op == "≠" && right is VariableExpr) (left, right) = (right, left);
        if (left is VariableExpr lower && IsBound(right) && (IsLess(op) || op == "≠"))
        {
            return (lower.Name, op == "≠" ? Punctured(right) : Range("<", MinusInfinity, op, right));
        }
        return right is VariableExpr upper && IsBound(left) && IsLess(op) ? (upper.Name, Range(op, left, "<", Infinity)) : null;
    }

    /// <summary>A bare list of inequalities on one variable (<c>x &lt; 1 or x &gt; 2</c>) as the parts of a union; else null.</summary>
    private static List<Expr>? AsUnion(ListExpr list)
    {
        var parts = list.Items.Select(i => i is RelationExpr r ? Interval(r) : null).ToList();
        if (parts.Any(p => p is null) || parts.Select(p => p!.Value.Name).Distinct().Count() != 1) return null;
        return parts.Select(p => p!.Value.Set).ToList();
    }

    /// <summary>The bounded quantity's name: <c>x</c>, or the form of <c>f(x)</c> in <c>0 &lt; f(x) &lt; 1</c>.</summary>
    private static string NameOf(Expr named) => named is VariableExpr v ? v.Name : named.ToString();

    private static bool IsLess(string op) => op is "<" or "≤";

    private static bool IsBound(Expr e) => Variables(e).Count == 0;

    private static TupleExpr Range(string lowOp, Expr low, string highOp, Expr high) =>
        new(lowOp == "<" ? '(' : '[', highOp == "<" ? ')' : ']', [low, high]);

    private static UnionExpr Punctured(Expr point) => new([Range("<", MinusInfinity, "<", point), Range("<", point, "<", Infinity)]);

    /// <summary>A numeral written without its base (<c>204</c>) is the numeral <c>204_5</c>; its value in base ten (54) is not.</summary>
    private static bool SameDigits(BaseNumberExpr numeral, NumberExpr number) =>
        number.Value == Rational.FromInteger(BigInteger.Parse(numeral.Digits, System.Globalization.CultureInfo.InvariantCulture));
}
