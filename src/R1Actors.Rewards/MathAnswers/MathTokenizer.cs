namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Splits a normalised answer into tokens. LaTeX commands that only space or size things are dropped,
/// operator commands become symbols (<c>\cdot</c> → <c>*</c>, <c>\leq</c> → <c>≤</c>), known function names
/// stay whole (<c>sin</c>, <c>sqrt</c>, <c>pi</c>) and any other run of letters is a product of one-letter
/// variables (<c>xy</c> → <c>x y</c>).
/// </summary>
internal static class MathTokenizer
{
    private static readonly HashSet<string> Ignored =
    [
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "displaystyle",
        "textstyle", "quad", "qquad", "!", ",", ";", ":", " ", "limits", "mathstrut",
    ];

    private static readonly Dictionary<string, string> CommandSymbols = new()
    {
        ["cdot"] = "*", ["times"] = "*", ["ast"] = "*", ["div"] = "/", ["le"] = "≤", ["leq"] = "≤", ["leqslant"] = "≤",
        ["ge"] = "≥", ["geq"] = "≥", ["geqslant"] = "≥", ["ne"] = "≠", ["neq"] = "≠", ["lt"] = "<", ["gt"] = ">",
        ["pm"] = "±", ["cup"] = "∪", ["infty"] = "∞", ["infinity"] = "∞", ["{"] = "\\{", ["}"] = "\\}", ["%"] = "%",
        ["\\"] = "\\\\", ["in"] = "∈", ["approx"] = "=", ["equiv"] = "=", ["vert"] = "|", ["lvert"] = "|", ["rvert"] = "|",
        ["mid"] = "|", ["colon"] = ":", ["langle"] = "(", ["rangle"] = ")", ["lbrace"] = "\\{", ["rbrace"] = "\\}",
    };

    /// <summary>Names read as one identifier, longest first so that "arcsin" wins over "sin".</summary>
    internal static readonly string[] KnownNames =
    [
        "arcsin", "arccos", "arctan", "sqrt", "sin", "cos", "tan", "sec", "csc", "cot", "log", "exp", "abs", "pi", "ln",
    ];

    private static readonly HashSet<string> StructuralCommands = ["frac", "sqrt", "binom", "begin", "end"];

    public static List<MathToken> Tokenize(string text, MathBudget budget)
    {
        var tokens = new List<MathToken>();
        var i = 0;
        while (i < text.Length)
        {
            budget.Tick();
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))) i = ReadNumber(text, i, tokens);
            else if (char.IsAsciiLetter(c)) i = ReadLetters(text, i, tokens);
            else if (c == '\\') i = ReadCommand(text, i, tokens);
            else i = ReadSymbol(text, i, tokens);
            if (tokens.Count > budget.Limits.MaxTokens) throw new MathLimitException($"answer has more than {budget.Limits.MaxTokens} tokens");
        }
        tokens.Add(new MathToken(TokenKind.End, "end of answer"));
        return tokens;
    }

    private static int ReadNumber(string text, int start, List<MathToken> tokens)
    {
        var i = start;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i < text.Length && text[i] == '.' && (i + 1 >= text.Length || char.IsAsciiDigit(text[i + 1]) || !char.IsAsciiLetter(text[i + 1])))
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i + 1 < text.Length && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is '+' or '-') j++;
            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                while (j < text.Length && char.IsAsciiDigit(text[j])) j++;
                i = j;
            }
        }
        tokens.Add(new MathToken(TokenKind.Number, text[start..i]));
        return i;
    }

    private static int ReadLetters(string text, int start, List<MathToken> tokens)
    {
        var end = start;
        while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
        var i = start;
        while (i < end)
        {
            var name = KnownNames.FirstOrDefault(n => string.CompareOrdinal(text, i, n, 0, n.Length) == 0 && i + n.Length <= end);
            var length = name?.Length ?? 1;
            tokens.Add(new MathToken(TokenKind.Identifier, text.Substring(i, length)));
            i += length;
        }
        return end;
    }

    private static int ReadCommand(string text, int start, List<MathToken> tokens)
    {
        var end = start + 1;
        while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
        if (end == start + 1 && end < text.Length) end++;
        var name = text[(start + 1)..end];
        if (Ignored.Contains(name)) return end;
        if (name is "emptyset" or "varnothing")
        {
            tokens.Add(new MathToken(TokenKind.Symbol, "\\{"));
            tokens.Add(new MathToken(TokenKind.Symbol, "\\}"));
            return end;
        }
        if (CommandSymbols.TryGetValue(name, out var symbol)) tokens.Add(new MathToken(TokenKind.Symbol, symbol));
        else if (StructuralCommands.Contains(name)) tokens.Add(new MathToken(TokenKind.Command, name));
        else if (KnownNames.Contains(name)) tokens.Add(new MathToken(TokenKind.Identifier, name));
        else throw new MathParseException($"unknown LaTeX command \\{name}");
        return end;
    }

    private static int ReadSymbol(string text, int i, List<MathToken> tokens)
    {
        var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
        var symbol = two switch
        {
            "**" => "^",
            "<=" => "≤",
            ">=" => "≥",
            "!=" => "≠",
            "+-" => "±",
            _ => null,
        };
        if (symbol is not null) { tokens.Add(new MathToken(TokenKind.Symbol, symbol)); return i + 2; }
        var c = text[i];
        if ("+-*/^()[]{},;=<>≤≥≠!%|&_'±∪∞π:".Contains(c))
        {
            tokens.Add(c == 'π' ? new MathToken(TokenKind.Identifier, "pi") : new MathToken(TokenKind.Symbol, c.ToString()));
            return i + 1;
        }
        throw new MathParseException($"unexpected character '{c}'");
    }
}
