using System.Text.Json;
using R1Actors.Rewards.Logic;

namespace R1Actors.Pipeline.Data;

/// <summary>Sizes of the Knights and Knaves generator (<c>r1.data.knights-knaves</c>): people per puzzle and statement depth.</summary>
public sealed record KnightsKnavesOptions(int Count, int MinPeople, int MaxPeople, int Depth)
{
    public const int PeopleLimit = 8;
    public const int DepthLimit = 4;
}

/// <summary>
/// Knights and Knaves puzzles (task <c>knights-knaves</c>, fields <c>names</c> and <c>roles</c>): each inhabitant
/// makes one statement about the roles (a random tree of at most <c>depth</c> levels of and/or/iff/not), and a
/// draw is kept only when brute force over all 2^n role assignments finds exactly one solution.
/// Difficulty grows with the number of people and the depth.
/// </summary>
public sealed class KnightsKnavesGenerator(KnightsKnavesOptions options, ulong seed, HeldOutPartition partition, DataSplit split)
    : GeneratedDataset("knights-knaves", TaskKinds.KnightsKnaves, options.Count, seed, partition, split)
{
    private const int MaxAttempts = 10_000;

    private static readonly string[] Names =
    [
        "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Irene", "Jack", "Kate", "Liam", "Mia",
        "Noah", "Olivia", "Peter", "Quinn", "Rose", "Sam", "Tara", "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zoe",
    ];

    protected override Prompt Generate(ref SplitMix64 random, string id)
    {
        var (names, statements, solution) = DrawPuzzle(ref random, options);
        return ToPrompt(id, names, statements, solution);
    }

    /// <summary>Names, one statement per person, and the puzzle's only solution (knight[i]).</summary>
    internal static (string[] Names, Statement[] Statements, bool[] Solution) DrawPuzzle(ref SplitMix64 random, KnightsKnavesOptions options)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var people = random.NextInclusive(options.MinPeople, options.MaxPeople);
            var statements = new Statement[people];
            for (var i = 0; i < people; i++) statements[i] = Draw(ref random, people, options.Depth);
            var solutions = KnightsKnavesSolver.Solutions(statements, limit: 2);
            if (solutions.Count == 1) return (PickNames(ref random, people), statements, solutions[0]);
        }
        throw new InvalidOperationException($"r1.data.knights-knaves: no puzzle with one solution after {MaxAttempts} draws; change min-people/max-people or depth");
    }

    /// <summary>A random statement about <paramref name="people"/> people, nesting at most <paramref name="depth"/> levels.</summary>
    internal static Statement Draw(ref SplitMix64 random, int people, int depth)
    {
        if (depth <= 1 || random.NextInt(3) == 0) return new RoleIs(random.NextInt(people), random.NextInt(2) == 0);
        if (random.NextInt(5) == 0) return new Not(Draw(ref random, people, depth - 1));
        var connective = (Connective)random.NextInt(3);
        return new Joined(connective, Draw(ref random, people, depth - 1), Draw(ref random, people, depth - 1));
    }

    private static string[] PickNames(ref SplitMix64 random, int people)
    {
        var pool = Names.ToList();
        var picked = new string[people];
        for (var i = 0; i < people; i++)
        {
            var at = random.NextInt(pool.Count);
            picked[i] = pool[at];
            pool.RemoveAt(at);
        }
        return picked;
    }

    private static Prompt ToPrompt(string id, string[] names, Statement[] statements, bool[] solution)
    {
        var listed = names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1];
        var said = string.Concat(names.Select((name, i) => $" {name} says: \"{statements[i].Render(names)}.\""));
        var text = "An island is inhabited only by knights, who always tell the truth, and knaves, who always lie. " +
                   $"You meet {names.Length} inhabitant{(names.Length == 1 ? "" : "s")}: {listed}.{said} " +
                   "Who is a knight and who is a knave? Show your reasoning in <think> </think> tags and give every " +
                   "inhabitant's role in <answer> </answer> tags, for example <answer> Alice is a knight, Bob is a knave </answer>.";
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["names"] = JsonSerializer.SerializeToElement(names),
            ["roles"] = JsonSerializer.SerializeToElement(solution.Select(k => k ? "knight" : "knave").ToArray()),
        };
        return new Prompt(id, new TextPrompt(text), new TaskSpec(TaskKinds.KnightsKnaves, fields));
    }
}
