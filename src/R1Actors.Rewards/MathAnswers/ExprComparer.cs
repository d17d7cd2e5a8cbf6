using System.Numerics;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Decides whether two parsed answers are the same value. Structure first (tuples and intervals keep order
/// and brackets; sets, bare lists and unions ignore order; matrices compare cell by cell; <c>x = 3</c> is
/// <c>3</c>), then scalars: exact rationals when both sides have one, otherwise complex floating point,
/// at seeded random points when variables are involved (<c>x^2+2x+1</c> vs <c>(x+1)^2</c>).
/// </summary>
internal sealed partial class ExprComparer(MathBudget budget, MathSettings settings)
{
    private static readonly Dictionary<string, double> NoVariables = [];
    private readonly Random _random = new(settings.Seed);

    /// <summary>Why the last scalar comparison could not decide (overflow, undefined), for the reason text.</summary>
    public string? Note { get; private set; }

    /// <summary>Whether the last comparison failed only because the values were undefined at most test points (<c>\binom{2n}{n}</c>).</summary>
    public bool Undecidable { get; private set; }

    public bool Equal(Expr a, Expr b)
    {
        budget.Tick();
        return (a, b) switch
        {
            (ChoiceExpr x, ChoiceExpr y) => x.Letter == y.Letter,
            (TextExpr x, TextExpr y) => NormalizeText(x.Text) == NormalizeText(y.Text),
            (TextExpr or ChoiceExpr, _) or (_, TextExpr or ChoiceExpr) => false,
            (RatioExpr x, RatioExpr y) => Pairwise(x.Parts, y.Parts),
            (BaseNumberExpr x, BaseNumberExpr y) => x.Digits == y.Digits && x.Base == y.Base,
            (BaseNumberExpr x, NumberExpr { Decimal: false } n) => SameDigits(x, n),
            (NumberExpr { Decimal: false } n, BaseNumberExpr x) => SameDigits(x, n),
            (ListExpr x, UnionExpr y) => AsUnion(x) is { } items && Unordered(items, y.Items),
            (UnionExpr x, ListExpr y) => AsUnion(y) is { } items && Unordered(x.Items, items),
            (ListExpr or SetExpr, ListExpr or SetExpr) => Unordered(Items(a), Items(b)),
            (UnionExpr x, UnionExpr y) => Unordered(x.Items, y.Items),
            (TupleExpr x, TupleExpr y) => x.Open == y.Open && x.Close == y.Close && Pairwise(x.Items, y.Items),
            (MatrixExpr x, MatrixExpr y) => x.Rows.Count == y.Rows.Count && x.Rows.Zip(y.Rows).All(r => Pairwise(r.First, r.Second)),
            (MatrixExpr m, TupleExpr { Open: '(' } t) => IsColumn(m) && Pairwise(m.Rows.Select(r => r[0]).ToList(), t.Items),
            (TupleExpr { Open: '(' } t, MatrixExpr m) => IsColumn(m) && Pairwise(t.Items, m.Rows.Select(r => r[0]).ToList()),
            (BinaryExpr, _) when MatrixValue(a) is { } ma => Equal(ma, b),
            (_, BinaryExpr) when MatrixValue(b) is { } mb => Equal(a, mb),
            (RelationExpr x, RelationExpr y) => RelationsEqual(x, y),
            (RelationExpr x, _) => ValueOf(x) is { } value && Equal(value, b),
            (_, RelationExpr y) => ValueOf(y) is { } value && Equal(a, value),
            _ when IsScalar(a) && IsScalar(b) => ScalarEqual(a, b),
            _ => false,
        };
    }

    private static IReadOnlyList<Expr> Items(Expr e) => e is ListExpr l ? l.Items : ((SetExpr)e).Items;

    private static bool IsColumn(MatrixExpr m) => m.Rows.All(r => r.Count == 1);

    private static bool IsScalar(Expr e) => e is NumberExpr or VariableExpr or ConstantExpr or NegateExpr or BinaryExpr or FunctionExpr or PercentExpr;

    private static string NormalizeText(string text) =>
        string.Join(' ', text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');

    private bool Pairwise(IReadOnlyList<Expr> a, IReadOnlyList<Expr> b) =>
        a.Count == b.Count && a.Zip(b).All(p => Equal(p.First, p.Second));

    /// <summary>
    /// The same items in any order, each used once; a predicted list (<paramref name="a"/>) that repeats some of
    /// a reference list's values is that list when the reference names each value once: <c>1, 2, 2</c> = <c>1, 2</c>,
    /// but <c>1, 2</c> ≠ <c>1, 2, 2</c> and <c>1, 1, 2</c> ≠ <c>1, 2, 2</c>.
    /// </summary>
    private bool Unordered(IReadOnlyList<Expr> a, IReadOnlyList<Expr> b)
    {
        if (a.Count > b.Count && Distinct(b).Count == b.Count) a = Distinct(a);
        if (a.Count != b.Count) return false;
        var used = new bool[b.Count];
        foreach (var item in a)
        {
            var match = -1;
            for (var j = 0; j < b.Count && match < 0; j++)
            {
                if (!used[j] && Equal(item, b[j])) match = j;
            }
            if (match < 0) return false;
            used[match] = true;
        }
        return true;
    }

    private List<Expr> Distinct(IReadOnlyList<Expr> items)
    {
        var distinct = new List<Expr>();
        foreach (var item in items)
        {
            if (!distinct.Any(seen => Equal(seen, item))) distinct.Add(item);
        }
        return distinct;
    }

    /// <summary>Two relations <c>d1 op 0</c> and <c>d2 op 0</c> agree when d1 = k·d2 for one constant k (k &gt; 0 for inequalities).</summary>
    private bool ProportionalDifferences(Expr d1, Expr d2, bool positiveOnly)
    {
        if (Equal(d1, d2)) return true;
        var variables = Variables(d1).Union(Variables(d2)).ToList();
        double? ratio = null;
        var valid = 0;
        for (var k = 0; k < settings.RandomPoints * 2 && valid < settings.RandomPoints; k++)
        {
            var point = RandomPoint(variables);
            var v1 = new NumericEvaluator(budget, point).Evaluate(d1);
            var v2 = new NumericEvaluator(budget, point).Evaluate(d2);
            if (!IsFinite(v1) || !IsFinite(v2) || v2.Magnitude < 1e-12 || Math.Abs((v1 / v2).Imaginary) > 1e-9) continue;
            var r = (v1 / v2).Real;
            ratio ??= r;
            if (!Close(r, ratio.Value) || Math.Abs(r) < 1e-12) return false;
            valid++;
        }
        return ratio is { } found && valid >= 3 && (!positiveOnly || found > 0);
    }

    private bool ScalarEqual(Expr a, Expr b)
    {
        if (a is PercentExpr pa) return CoreEqual(pa.Operand, b) || CoreEqual(a, b);
        if (b is PercentExpr pb) return CoreEqual(a, pb.Operand) || CoreEqual(a, b);
        return CoreEqual(a, b);
    }

    private bool CoreEqual(Expr a, Expr b)
    {
        var exact = new ExactEvaluator(budget);
        if (exact.Evaluate(a) is { } ra && exact.Evaluate(b) is { } rb)
        {
            if (ra == rb) return true;
            return (ExactEvaluator.HasDecimal(a) || ExactEvaluator.HasDecimal(b)) && Close(ra.ToDouble(), rb.ToDouble());
        }
        var variables = Variables(a).Union(Variables(b)).ToList();
        if (variables.Count == 0) return NumbersEqual(a, b);
        var valid = 0;
        for (var k = 0; k < settings.RandomPoints * 2 && valid < settings.RandomPoints; k++)
        {
            var point = RandomPoint(variables);
            var va = Evaluate(a, point);
            var vb = Evaluate(b, point);
            if (!IsFinite(va) || !IsFinite(vb)) continue;
            if (!Close(va, vb)) return false;
            valid++;
        }
        if (valid < 3) (Note, Undecidable) = ("the expressions are undefined at most test points", true);
        return valid >= 3;
    }

    private Complex Evaluate(Expr e, IReadOnlyDictionary<string, double> point) => new NumericEvaluator(budget, point).Evaluate(e);

    /// <summary>Infinite values are equal only when both sides write ∞ (an interval end); an overflow never is.</summary>
    private bool NumbersEqual(Expr a, Expr b)
    {
        var va = Evaluate(a, NoVariables);
        var vb = Evaluate(b, NoVariables);
        if (IsFinite(va) && IsFinite(vb)) return Close(va, vb);
        if (WritesInfinity(a) && WritesInfinity(b) && va.Imaginary == 0 && vb.Imaginary == 0 && va.Real == vb.Real) return true;
        Note = "a value is undefined or too large to compare";
        return false;
    }

    private static bool WritesInfinity(Expr e) => e switch
    {
        ConstantExpr { Constant: MathConstant.Infinity } => true,
        NegateExpr n => WritesInfinity(n.Operand),
        _ => false,
    };

    private Dictionary<string, double> RandomPoint(List<string> variables) =>
        variables.ToDictionary(v => v, _ => 0.5 + 2.0 * _random.NextDouble());

    private static bool IsFinite(Complex c) => double.IsFinite(c.Real) && double.IsFinite(c.Imaginary);

    private bool Close(Complex a, Complex b) =>
        (a - b).Magnitude <= settings.RelativeTolerance * Math.Max(a.Magnitude, b.Magnitude) + 1e-12;

    private static HashSet<string> Variables(Expr e)
    {
        var names = new HashSet<string>();
        Collect(e, names);
        return names;

        static void Collect(Expr e, HashSet<string> names)
        {
            switch (e)
            {
                case VariableExpr v: names.Add(v.Name); break;
                case NegateExpr n: Collect(n.Operand, names); break;
                case PercentExpr p: Collect(p.Operand, names); break;
                case BinaryExpr b: Collect(b.Left, names); Collect(b.Right, names); break;
                case FunctionExpr f: foreach (var arg in f.Args) Collect(arg, names); break;
            }
        }
    }
}
