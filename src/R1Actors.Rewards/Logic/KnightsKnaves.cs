namespace R1Actors.Rewards.Logic;

/// <summary>
/// A statement in a Knights and Knaves puzzle, about the roles of the people (by index). Knights say only true
/// statements, knaves only false ones; an assignment of roles is a solution when every person's statement is
/// true exactly when that person is a knight.
/// </summary>
public abstract record Statement
{
    /// <summary>Whether the statement holds when <paramref name="knight"/>[i] says whether person i is a knight.</summary>
    public abstract bool Holds(IReadOnlyList<bool> knight);

    /// <summary>The statement in words, with the people's names; compound parts are bracketed so the reading is unique.</summary>
    public abstract string Render(IReadOnlyList<string> names);

    /// <summary>How deeply connectives nest: 1 for <c>A is a knight</c>, 2 for <c>A is a knight and B is a knave</c>.</summary>
    public abstract int Depth { get; }

    internal string Part(IReadOnlyList<string> names) => this is RoleIs ? Render(names) : $"({Render(names)})";
}

/// <summary><c>Alice is a knight</c> / <c>Alice is a knave</c>.</summary>
public sealed record RoleIs(int Person, bool Knight) : Statement
{
    public override bool Holds(IReadOnlyList<bool> knight) => knight[Person] == Knight;
    public override string Render(IReadOnlyList<string> names) => $"{names[Person]} is a {(Knight ? "knight" : "knave")}";
    public override int Depth => 1;
}

/// <summary><c>it is not the case that (…)</c>.</summary>
public sealed record Not(Statement Inner) : Statement
{
    public override bool Holds(IReadOnlyList<bool> knight) => !Inner.Holds(knight);
    public override string Render(IReadOnlyList<string> names) => $"it is not the case that {Inner.Part(names)}";
    public override int Depth => Inner.Depth + 1;
}

/// <summary>Two statements joined by <c>and</c>, <c>or</c> or <c>if and only if</c>.</summary>
public sealed record Joined(Connective Connective, Statement Left, Statement Right) : Statement
{
    public override bool Holds(IReadOnlyList<bool> knight) => Connective switch
    {
        Connective.And => Left.Holds(knight) && Right.Holds(knight),
        Connective.Or => Left.Holds(knight) || Right.Holds(knight),
        _ => Left.Holds(knight) == Right.Holds(knight),
    };

    public override string Render(IReadOnlyList<string> names)
    {
        var word = Connective switch { Connective.And => "and", Connective.Or => "or", _ => "if and only if" };
        return $"{Left.Part(names)} {word} {Right.Part(names)}";
    }

    public override int Depth => Math.Max(Left.Depth, Right.Depth) + 1;
}

public enum Connective { And, Or, Iff }

/// <summary>Brute force over all 2^n role assignments (n is small: at most <see cref="MaxPeople"/>).</summary>
public static class KnightsKnavesSolver
{
    public const int MaxPeople = 12;

    /// <summary>The assignments in which each person i's statement holds exactly when i is a knight; stops after <paramref name="limit"/>.</summary>
    /// <example>Alice says "Bob is a knave", Bob says "Alice and I are both knights" → one solution: Alice knight, Bob knave.</example>
    public static List<bool[]> Solutions(IReadOnlyList<Statement> statements, int limit = 2)
    {
        var n = statements.Count;
        if (n is < 1 or > MaxPeople) throw new ArgumentOutOfRangeException(nameof(statements), $"between 1 and {MaxPeople} people");
        var found = new List<bool[]>();
        for (var mask = 0; mask < 1 << n && found.Count < limit; mask++)
        {
            var knight = Enumerable.Range(0, n).Select(i => (mask >> i & 1) == 1).ToArray();
            if (Enumerable.Range(0, n).All(i => statements[i].Holds(knight) == knight[i])) found.Add(knight);
        }
        return found;
    }
}
