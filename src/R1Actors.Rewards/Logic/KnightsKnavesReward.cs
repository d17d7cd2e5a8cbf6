using System.Text.Json;

namespace R1Actors.Rewards.Logic;

/// <summary>
/// The <c>knights-knaves</c> answer component: the task's <c>names</c> and their <c>roles</c> ("knight" or
/// "knave", in the same order); the answer must give every person's role, and all must be right. Read
/// leniently from the <c>&lt;answer&gt;</c> block: a role word (knight[s], knave[s]) goes to every name
/// mentioned since the previous role word, and a "not" between them flips it.
/// </summary>
/// <example>
/// names [Alice, Bob], roles [knight, knave]: <c>Alice is a knight, Bob is a knave</c> → 1; <c>Alice and Bob are
/// knights</c> → 0 (1 of 2 right); <c>Alice: knight, Bob is not a knight</c> → 1; <c>Alice is a knight</c> → 0 (no role for Bob).
/// </example>
public sealed class KnightsKnavesReward : IRewardFunction
{
    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(task, completion));

    public static RewardOutcome Score(TaskSpec task, string completion)
    {
        if (ReadTask(task) is not { } puzzle) return Outcomes.Fail(RewardComponents.Answer, "invalid task: needs 'names' and 'roles' (knight or knave), one role per name");
        var (answer, unread) = PuzzleAnswer.Read(completion);
        if (answer is null) return Outcomes.Fail(RewardComponents.Answer, unread!);
        var (given, conflict) = ReadRoles(answer, puzzle.Names);
        if (conflict is not null) return Outcomes.Fail(RewardComponents.Answer, $"the answer gives {conflict} both roles");
        var missing = puzzle.Names.Where((_, i) => given[i] is null).ToList();
        var right = Enumerable.Range(0, puzzle.Names.Count).Count(i => given[i] == puzzle.Knights[i]);
        if (right == puzzle.Names.Count) return Outcomes.Pass(RewardComponents.Answer);
        var note = missing.Count > 0 ? $"; no role for {string.Join(", ", missing)}" : "";
        return Outcomes.Fail(RewardComponents.Answer, $"{right} of {puzzle.Names.Count} roles right{note}");
    }

    /// <summary>The role the answer gives each name (null when none), or the first name given both roles.</summary>
    /// <example><c>ReadRoles("Alice and Bob are knaves", [Alice, Bob])</c> → [false, false].</example>
    internal static (bool?[] Roles, string? Conflict) ReadRoles(string answer, IReadOnlyList<string> names)
    {
        var roles = new bool?[names.Count];
        var pending = new List<int>();
        var negated = false;
        foreach (var word in Words(answer))
        {
            var person = IndexOf(names, word);
            if (person >= 0) { pending.Add(person); continue; }
            if (word is "not" or "isn" or "never" or "neither") { negated = true; continue; }
            bool? knight = word switch { "knight" or "knights" => true, "knave" or "knaves" => false, _ => null };
            if (knight is null) continue;
            foreach (var p in pending)
            {
                var role = knight.Value != negated;
                if (roles[p] is { } earlier && earlier != role) return (roles, names[p]);
                roles[p] = role;
            }
            pending.Clear();
            negated = false;
        }
        return (roles, null);
    }

    private static int IndexOf(IReadOnlyList<string> names, string word)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], word, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    private static IEnumerable<string> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0) start = i;
            if (!letter && start >= 0) { yield return text[start..i].ToLowerInvariant(); start = -1; }
        }
    }

    private sealed record Puzzle(IReadOnlyList<string> Names, IReadOnlyList<bool> Knights);

    private static Puzzle? ReadTask(TaskSpec task)
    {
        if (Strings(task, "names") is not { Count: > 0 } names || Strings(task, "roles") is not { } written || written.Count != names.Count) return null;
        var roles = written.Select(r => r.ToLowerInvariant()).ToList();
        if (roles.Any(r => r is not ("knight" or "knave")) || names.Any(n => n.Length == 0 || !n.All(char.IsLetter))) return null;
        return new Puzzle(names, roles.Select(r => r == "knight").ToList());
    }

    private static List<string>? Strings(TaskSpec task, string field)
    {
        if (!task.Fields.TryGetValue(field, out var value) || value.ValueKind != JsonValueKind.Array) return null;
        var items = value.EnumerateArray().ToList();
        return items.All(i => i.ValueKind == JsonValueKind.String) ? items.Select(i => i.GetString()!.Trim()).ToList() : null;
    }
}
