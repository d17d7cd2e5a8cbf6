using System.Globalization;
using System.Numerics;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Recursive-descent parser for answers written in LaTeX or plain text. Precedence, loosest first:
/// list (<c>,</c> <c>;</c>) → union (<c>∪</c>) → relation chain (<c>= &lt; ≤ …</c>) → ratio (<c>:</c>) → sum (<c>+ - ±</c>) →
/// product (<c>* /</c>, juxtaposition) → unary minus → power (right-associative) → postfix (<c>! %</c>) →
/// primary. Juxtaposition of an integer and a literal <c>\frac</c> is a mixed number (<c>2\frac{1}{2}</c> = 5/2).
/// Depth, token count and time are bounded by <see cref="MathBudget"/>.
/// </summary>
internal sealed partial class MathParser
{
    private static readonly HashSet<string> Relations = ["=", "<", ">", "≤", "≥", "≠", "∈"];
    private readonly List<MathToken> _tokens;
    private readonly MathBudget _budget;
    private int _position;
    private int _depth;
    private int _absDepth;
    private bool _lastPrimaryWasLiteralFraction;

    private MathParser(List<MathToken> tokens, MathBudget budget)
    {
        _tokens = tokens;
        _budget = budget;
    }

    public static Expr Parse(string normalized, MathBudget budget)
    {
        var parser = new MathParser(MathTokenizer.Tokenize(normalized, budget), budget);
        if (parser.Peek.Kind == TokenKind.End) throw new MathParseException("empty answer");
        var result = parser.ParseList(closers: []);
        if (parser.Peek.Kind != TokenKind.End) throw new MathParseException($"unexpected '{parser.Peek}' in answer");
        return result;
    }

    private const int MaxPlusMinusValues = 16;

    private MathToken Peek => _tokens[_position];
    private MathToken Next() => _tokens[_position++];

    private void Expect(string symbol)
    {
        if (!Peek.Is(symbol)) throw new MathParseException($"expected '{symbol}' but found '{Peek}'");
        _position++;
    }

    private Expr Enter(Func<Expr> parse)
    {
        _budget.Tick();
        _budget.CheckDepth(++_depth);
        try { return parse(); }
        finally { _depth--; }
    }

    /// <summary>Items separated by ',' or ';' up to one of <paramref name="closers"/> (not consumed).</summary>
    private Expr ParseList(string[] closers)
    {
        var items = ParseItems(closers);
        return items.Count == 1 ? items[0] : new ListExpr(items);
    }

    private List<Expr> ParseItems(string[] closers)
    {
        var items = new List<Expr>();
        while (true)
        {
            if (Peek.Kind == TokenKind.End || closers.Any(Peek.Is)) throw new MathParseException($"missing value before '{Peek}'");
            items.Add(ParseUnion());
            if (!Peek.Is(",") && !Peek.Is(";")) return items;
            _position++;
        }
    }

    private Expr ParseUnion() => Separated("∪", ParseRelation, items => new UnionExpr(items));

    /// <summary>One item, or several separated by <paramref name="separator"/> and joined by <paramref name="join"/>.</summary>
    private Expr Separated(string separator, Func<Expr> parseItem, Func<List<Expr>, Expr> join) => Enter(() =>
    {
        var first = parseItem();
        if (!Peek.Is(separator)) return first;
        var items = new List<Expr> { first };
        while (Peek.Is(separator)) { _position++; items.Add(parseItem()); }
        return join(items);
    });

    private Expr ParseRelation() => Enter(() =>
    {
        var first = ParseRatio();
        if (Peek.Kind != TokenKind.Symbol || !Relations.Contains(Peek.Text)) return first;
        var operands = new List<Expr> { first };
        var ops = new List<string>();
        while (Peek.Kind == TokenKind.Symbol && Relations.Contains(Peek.Text))
        {
            ops.Add(Next().Text);
            operands.Add(ParseRatio());
        }
        return new RelationExpr(operands, ops);
    });

    /// <summary><c>7:32</c>, and clock times once the normaliser has read a.m./p.m. (<c>4:30 p.m.</c> → <c>16:30</c>).</summary>
    private Expr ParseRatio() => Separated(":", ParseSum, parts => new RatioExpr(parts));

    private Expr ParseSum() => Enter(() =>
    {
        var left = ParseTerm();
        while (Peek.Is("+") || Peek.Is("-") || Peek.Is("±"))
        {
            var op = Next().Text;
            var right = ParseTerm();
            left = op switch
            {
                "+" => Binary(BinaryOp.Add, left, right),
                "-" => Binary(BinaryOp.Subtract, left, right),
                _ => PlusMinus(Binary(BinaryOp.Add, left, right), Binary(BinaryOp.Subtract, left, right)),
            };
        }
        return left;
    });

    private Expr ParseTerm() => Enter(() =>
    {
        var left = ParseUnary();
        while (true)
        {
            _budget.Tick();
            if (Peek.Is("*") || Peek.Is("/"))
            {
                var op = Next().Text == "*" ? BinaryOp.Multiply : BinaryOp.Divide;
                left = Binary(op, left, ParseUnary());
            }
            else if (StartsPrimary(Peek))
            {
                _lastPrimaryWasLiteralFraction = false;
                var right = ParsePower();
                left = IsMixedNumber(left, right) ? MixedNumber(left, right) : Binary(BinaryOp.Multiply, left, right);
            }
            else return left;
        }
    });

    private bool IsMixedNumber(Expr left, Expr right) =>
        _lastPrimaryWasLiteralFraction && right is BinaryExpr { Op: BinaryOp.Divide }
        && left is NumberExpr { Decimal: false, Value.IsInteger: true } or NegateExpr { Operand: NumberExpr { Decimal: false, Value.IsInteger: true } };

    /// <summary>The values <c>a ± b</c> stands for: a list, flattened when either side already is one.</summary>
    private static ListExpr PlusMinus(Expr plus, Expr minus)
    {
        var items = new List<Expr>();
        foreach (var e in new[] { plus, minus }) items.AddRange(e is ListExpr l ? l.Items : [e]);
        if (items.Count > MaxPlusMinusValues) throw new MathLimitException($"more than {MaxPlusMinusValues} values from ±");
        return new ListExpr(items);
    }

    /// <summary>
    /// An operation on the values of a <c>±</c> is that list of operations (<c>\frac{-1 \pm \sqrt{13}}{4}</c> →
    /// <c>(-1+\sqrt{13})/4, (-1-\sqrt{13})/4</c>): inside arithmetic a list only ever comes from <c>±</c>.
    /// </summary>
    private static Expr Binary(BinaryOp op, Expr left, Expr right)
    {
        if (left is not ListExpr && right is not ListExpr) return new BinaryExpr(op, left, right);
        IReadOnlyList<Expr> lefts = left is ListExpr l ? l.Items : [left];
        IReadOnlyList<Expr> rights = right is ListExpr r ? r.Items : [right];
        if (lefts.Count * rights.Count > MaxPlusMinusValues) throw new MathLimitException($"more than {MaxPlusMinusValues} values from ±");
        // Items of a ± list are never lists themselves (PlusMinus flattens), so one level of pairs suffices.
        return new ListExpr(lefts.SelectMany(a => rights.Select(b => (Expr)new BinaryExpr(op, a, b))).ToList());
    }

    private static Expr MixedNumber(Expr whole, Expr fraction) => whole is NegateExpr negated
        ? new NegateExpr(new BinaryExpr(BinaryOp.Add, negated.Operand, fraction))
        : new BinaryExpr(BinaryOp.Add, whole, fraction);

    private Expr ParseUnary() => Enter(() =>
    {
        if (Peek.Is("-")) { _position++; return new NegateExpr(ParseUnary()); }
        if (Peek.Is("+")) { _position++; return ParseUnary(); }
        if (Peek.Is("±"))
        {
            _position++;
            var operand = ParseUnary();
            return PlusMinus(operand, new NegateExpr(operand));
        }
        return ParsePower();
    });

    private Expr ParsePower() => Enter(() =>
    {
        var baseExpr = ParsePostfix();
        if (!Peek.Is("^")) return baseExpr;
        _position++;
        var exponent = Peek.Is("{") ? ParseGroup() : ParseUnary();
        return Binary(BinaryOp.Power, baseExpr, exponent);
    });

    private Expr ParsePostfix()
    {
        var result = ParsePrimary();
        while (Peek.Is("!") || Peek.Is("%") || Peek.Is("'"))
        {
            var op = Next().Text;
            result = op switch
            {
                "!" => new FunctionExpr("fact", [result]),
                "%" => new PercentExpr(result),
                _ => throw new MathParseException("a prime (') is not a value"),
            };
        }
        return result;
    }

    private bool StartsPrimary(MathToken token) => token.Kind switch
    {
        TokenKind.Number or TokenKind.Identifier => true,
        TokenKind.Command => token.Text != "end",
        TokenKind.Symbol => token.Text is "(" or "[" or "{" or "\\{" or "∞" || (token.Text == "|" && _absDepth == 0),
        _ => false,
    };

    /// <summary>A braced LaTeX group: <c>{…}</c> holding one value (or a set, when it holds a list).</summary>
    private Expr ParseGroup()
    {
        Expect("{");
        var inner = ParseItems(["}"]);
        Expect("}");
        return inner.Count == 1 ? inner[0] : new SetExpr(inner);
    }

    private static NumberExpr ParseNumber(string text, MathBudget budget)
    {
        var exponentAt = text.IndexOfAny(['e', 'E']);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (Math.Abs(exponent) > budget.Limits.MaxExactExponent) throw new MathLimitException($"exponent of {text} is too large");
        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var scale = dot < 0 ? 0 : mantissa.Length - dot - 1;
        var value = new Rational(BigInteger.Parse(digits.Length == 0 ? "0" : digits, CultureInfo.InvariantCulture), BigInteger.Pow(10, scale));
        value = exponent >= 0 ? value * Rational.FromInteger(BigInteger.Pow(10, exponent)) : value / Rational.FromInteger(BigInteger.Pow(10, -exponent));
        return new NumberExpr(budget.CheckSize(value), dot >= 0 || exponentAt >= 0);
    }
}
