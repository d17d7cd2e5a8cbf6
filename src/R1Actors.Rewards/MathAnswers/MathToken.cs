namespace R1Actors.Rewards.MathAnswers;

internal enum TokenKind { Number, Identifier, Command, Symbol, End }

/// <summary>One token of an answer: a number, a letter or known function name, a LaTeX command, or a symbol.</summary>
internal readonly record struct MathToken(TokenKind Kind, string Text)
{
    public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
    public bool IsCommand(string name) => Kind == TokenKind.Command && Text == name;
    public override string ToString() => Kind == TokenKind.Command ? "\\" + Text : Text;
}
