using System.Globalization;

namespace R1Actors.Rewards.MathAnswers;

/// <summary>Primaries: numbers, letters, functions, brackets, sets, absolute values and LaTeX structures.</summary>
internal sealed partial class MathParser
{
    private static readonly HashSet<string> Functions = ["sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "ln", "log", "exp", "abs", "sqrt"];
    private static readonly HashSet<string> MatrixEnvironments = ["matrix", "pmatrix", "bmatrix", "Bmatrix", "smallmatrix", "array"];

    private Expr ParsePrimary() => Enter(() =>
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return Peek.Is("_") ? ParseBaseNumber(token.Text) : ParseNumber(token.Text, _budget);
            case TokenKind.Identifier:
                return ParseIdentifier(token.Text);
            case TokenKind.Command:
                return ParseCommand(token.Text);
            case TokenKind.Symbol when token.Text is "(" or "[":
                return ParseBracketed(token.Text[0]);
            case TokenKind.Symbol when token.Text == "{":
                _position--;
                return ParseGroup();
            case TokenKind.Symbol when token.Text == "\\{":
                return ParseSet();
            case TokenKind.Symbol when token.Text == "|":
                return ParseAbsolute();
            case TokenKind.Symbol when token.Text == "∞":
                return new ConstantExpr(MathConstant.Infinity);
            default:
                throw new MathParseException($"unexpected '{token}' in answer");
        }
    });

    private Expr ParseIdentifier(string name)
    {
        if (name == "pi") return new ConstantExpr(MathConstant.Pi);
        if (Functions.Contains(name)) return ParseFunction(name);
        if (name == "e") return new ConstantExpr(MathConstant.E);
        if (!Peek.Is("_")) return new VariableExpr(name);
        _position++;
        var subscript = Next();
        if (!subscript.Is("{"))
        {
            if (subscript.Kind is not (TokenKind.Number or TokenKind.Identifier)) throw new MathParseException($"unexpected subscript '{subscript}'");
            return new VariableExpr($"{name}_{subscript.Text}");
        }
        // x_{12}, S_{MBCN}: letters and digits only, joined into one name.
        var label = new System.Text.StringBuilder();
        while (Peek.Kind is TokenKind.Number or TokenKind.Identifier) label.Append(Next().Text);
        Expect("}");
        if (label.Length == 0) throw new MathParseException("empty subscript");
        return new VariableExpr($"{name}_{label}");
    }

    /// <summary><c>204_5</c>, <c>1011_{2}</c>: a numeral in a base from 2 to 10, whose digits must be below the base.</summary>
    private BaseNumberExpr ParseBaseNumber(string digits)
    {
        Expect("_");
        var braced = Peek.Is("{");
        if (braced) _position++;
        var subscript = Next();
        if (braced) Expect("}");
        if (subscript.Kind != TokenKind.Number || !int.TryParse(subscript.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var radix) || radix is < 2 or > 10)
        {
            throw new MathParseException($"unsupported base '{subscript}'");
        }
        if (!digits.All(char.IsAsciiDigit) || digits.Any(d => d - '0' >= radix)) throw new MathParseException($"{digits} is not a numeral in base {radix}");
        var trimmed = digits.TrimStart('0');
        return new BaseNumberExpr(trimmed.Length == 0 ? "0" : trimmed, radix);
    }

    /// <summary><c>\sin x</c>, <c>\sin(x)</c>, <c>\sin^2 x</c> (the square of the sine), <c>\log_2 8</c>, <c>sqrt(3)</c>.</summary>
    private Expr ParseFunction(string name)
    {
        Expr? logBase = null;
        if (name == "log" && Peek.Is("_")) { _position++; logBase = ParseArgument(); }
        Expr? power = null;
        if (Peek.Is("^")) { _position++; power = ParseArgument(); }
        var argument = Peek.Is("(") ? ParseBracketed(Next().Text[0]) : name == "sqrt" ? ParseArgument() : ParsePower();
        var call = name switch
        {
            "sqrt" => new FunctionExpr("sqrt", [argument]),
            "log" when logBase is not null => new FunctionExpr("log", [logBase, argument]),
            "log" => new FunctionExpr("ln", [argument]),
            _ => new FunctionExpr(name, [argument]),
        };
        return power is null ? call : Binary(BinaryOp.Power, call, power);
    }

    private Expr ParseCommand(string name)
    {
        switch (name)
        {
            case "frac":
                var numerator = ParseArgument();
                var denominator = ParseArgument();
                var fraction = Binary(BinaryOp.Divide, numerator, denominator);
                _lastPrimaryWasLiteralFraction = numerator is NumberExpr && denominator is NumberExpr;
                return fraction;
            case "sqrt":
                if (!Peek.Is("[")) return new FunctionExpr("sqrt", [ParseArgument()]);
                _position++;
                var index = ParseSum();
                Expect("]");
                return new FunctionExpr("root", [index, ParseArgument()]);
            case "binom":
                return new FunctionExpr("binom", [ParseArgument(), ParseArgument()]);
            case "begin":
                return ParseMatrix();
            default:
                throw new MathParseException($"unexpected \\{name}");
        }
    }

    /// <summary>
    /// The argument of <c>\frac</c>, <c>\sqrt</c>, <c>^</c>: a braced group or one token, where a run of
    /// digits gives only its first digit (<c>\frac34</c> = 3/4).
    /// </summary>
    private Expr ParseArgument()
    {
        if (Peek.Is("{")) return ParseGroup();
        if (Peek.Kind == TokenKind.Number && Peek.Text.Length > 1 && Peek.Text.All(char.IsAsciiDigit))
        {
            var digits = Next().Text;
            _tokens.Insert(_position, new MathToken(TokenKind.Number, digits[1..]));
            return ParseNumber(digits[..1], _budget);
        }
        if (Peek.Kind == TokenKind.Number) return ParseNumber(Next().Text, _budget);
        if (Peek.Kind == TokenKind.Identifier && Peek.Text.Length == 1) return ParseIdentifier(Next().Text);
        if (Peek.Is("-")) { _position++; return new NegateExpr(ParseArgument()); }
        return ParsePrimary();
    }

    /// <summary><c>( … )</c> or <c>[ … ]</c>: grouping around one value; a tuple or interval around several.</summary>
    private Expr ParseBracketed(char open)
    {
        var items = ParseItems([")", "]"]);
        var close = Next();
        if (!close.Is(")") && !close.Is("]")) throw new MathParseException($"expected ')' or ']' but found '{close}'");
        if (items.Count > 1) return new TupleExpr(open, close.Text[0], items);
        if ((open == '(') != (close.Text == ")")) throw new MathParseException($"'{open}' closed by '{close}' around a single value");
        return items[0];
    }

    private Expr ParseSet()
    {
        if (Peek.Is("\\}")) { _position++; return new SetExpr([]); }
        var items = ParseItems(["\\}"]);
        Expect("\\}");
        return new SetExpr(items);
    }

    private Expr ParseAbsolute()
    {
        _absDepth++;
        var inner = ParseSum();
        _absDepth--;
        Expect("|");
        return new FunctionExpr("abs", [inner]);
    }

    /// <summary><c>\begin{pmatrix} a &amp; b \\ c &amp; d \end{pmatrix}</c> (and matrix, bmatrix, array).</summary>
    private Expr ParseMatrix()
    {
        var environment = ReadEnvironmentName();
        if (!MatrixEnvironments.Contains(environment)) throw new MathParseException($"unsupported environment {environment}");
        if (environment == "array" && Peek.Is("{")) SkipGroup();
        var rows = new List<IReadOnlyList<Expr>>();
        var row = new List<Expr>();
        while (!Peek.IsCommand("end"))
        {
            if (Peek.Kind == TokenKind.End) throw new MathParseException($"\\begin{{{environment}}} is never closed");
            row.Add(ParseUnion());
            if (Peek.Is("&")) { _position++; continue; }
            if (Peek.Is("\\\\")) { _position++; rows.Add(row); row = []; continue; }
            if (!Peek.IsCommand("end")) throw new MathParseException($"unexpected '{Peek}' in matrix");
        }
        if (row.Count > 0) rows.Add(row);
        _position++;
        if (ReadEnvironmentName() != environment) throw new MathParseException($"\\begin{{{environment}}} closed by a different \\end");
        if (rows.Count == 0 || rows.Any(r => r.Count != rows[0].Count)) throw new MathParseException("matrix rows differ in length");
        return new MatrixExpr(rows);
    }

    private string ReadEnvironmentName()
    {
        Expect("{");
        var name = "";
        while (!Peek.Is("}") && Peek.Kind != TokenKind.End) name += Next().Text;
        Expect("}");
        return name;
    }

    private void SkipGroup()
    {
        Expect("{");
        while (!Peek.Is("}") && Peek.Kind != TokenKind.End) _position++;
        Expect("}");
    }
}
