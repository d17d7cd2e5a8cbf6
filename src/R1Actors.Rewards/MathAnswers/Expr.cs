namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// The parsed form of an answer. Scalars (numbers, variables, operators, functions) are compared by value;
/// the structured forms (tuples and intervals, sets, bare lists, unions, matrices, relations, text, choice
/// letters) are compared by structure, element by element.
/// </summary>
internal abstract record Expr;

/// <summary>A literal; <paramref name="Decimal"/> marks a value written with a decimal point (an approximation).</summary>
internal sealed record NumberExpr(Rational Value, bool Decimal) : Expr;
internal sealed record VariableExpr(string Name) : Expr;
internal sealed record ConstantExpr(MathConstant Constant) : Expr;
internal sealed record NegateExpr(Expr Operand) : Expr;
internal sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right) : Expr;
/// <summary>sqrt, root (index, radicand), sin, cos, tan, ln, log (base, x), exp, abs, fact, binom.</summary>
internal sealed record FunctionExpr(string Name, IReadOnlyList<Expr> Args) : Expr;
internal sealed record PercentExpr(Expr Operand) : Expr;
/// <summary>A chain <c>a op b op c</c>; Ops are "=", "&lt;", "&gt;", "≤", "≥", "≠".</summary>
internal sealed record RelationExpr(IReadOnlyList<Expr> Operands, IReadOnlyList<string> Ops) : Expr;
/// <summary>A point or an interval: the brackets are part of the value (<c>[1,2)</c> ≠ <c>(1,2)</c>).</summary>
internal sealed record TupleExpr(char Open, char Close, IReadOnlyList<Expr> Items) : Expr;
internal sealed record SetExpr(IReadOnlyList<Expr> Items) : Expr;
/// <summary>A bare comma-separated list (<c>x = 1, 2</c>): compared without order, as MATH writes several solutions.</summary>
internal sealed record ListExpr(IReadOnlyList<Expr> Items) : Expr;
internal sealed record UnionExpr(IReadOnlyList<Expr> Items) : Expr;
internal sealed record MatrixExpr(IReadOnlyList<IReadOnlyList<Expr>> Rows) : Expr;
internal sealed record TextExpr(string Text) : Expr;
/// <summary>A ratio or a clock time, <c>7:32</c>: its parts in order, compared part by part (<c>2:4</c> ≠ <c>1:2</c>).</summary>
internal sealed record RatioExpr(IReadOnlyList<Expr> Parts) : Expr;
/// <summary>A numeral in a base from 2 to 10, <c>204_5</c>: its digits without leading zeros, and the base.</summary>
internal sealed record BaseNumberExpr(string Digits, int Base) : Expr;
internal sealed record ChoiceExpr(char Letter) : Expr;

internal enum BinaryOp { Add, Subtract, Multiply, Divide, Power }

internal enum MathConstant { Pi, E, Infinity }
