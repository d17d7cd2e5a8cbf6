using R1Actors.Pipeline.Data;
using R1Actors.Rewards.Logic;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class KnightsKnavesGeneratorTests
{
    private static readonly KnightsKnavesOptions Options = new(Count: 200, MinPeople: 2, MaxPeople: 5, Depth: 3);

    [Fact]
    public void Every_puzzle_has_exactly_one_solution_and_its_roles_are_that_solution()
    {
        var random = new SplitMix64(7);
        for (var i = 0; i < 100; i++)
        {
            var (names, statements, solution) = KnightsKnavesGenerator.DrawPuzzle(ref random, Options);
            Assert.InRange(names.Length, 2, 5);
            Assert.Equal(names.Length, names.Distinct().Count());
            Assert.All(statements, s => Assert.InRange(s.Depth, 1, 3));
            Assert.Equal(solution, Assert.Single(KnightsKnavesSolver.Solutions(statements, limit: 10)));
        }
    }

    [Fact]
    public void The_same_seed_and_index_give_the_same_puzzle_and_another_seed_others()
    {
        var a = new KnightsKnavesGenerator(Options, 11, new HeldOutPartition(0.05), DataSplit.Training);
        var b = new KnightsKnavesGenerator(Options, 11, new HeldOutPartition(0.05), DataSplit.Training);
        var c = new KnightsKnavesGenerator(Options, 12, new HeldOutPartition(0.05), DataSplit.Training);
        Assert.Equal(Texts(a), Texts(b));
        Assert.NotEqual(Texts(a), Texts(c));
    }

    [Fact]
    public void A_generated_prompt_names_everyone_and_its_own_roles_score_one()
    {
        var generator = new KnightsKnavesGenerator(Options, 3, new HeldOutPartition(0.05), DataSplit.Training);
        for (var i = 0; i < 20; i++)
        {
            var prompt = generator.Get(i);
            var names = prompt.Task.Fields["names"].EnumerateArray().Select(e => e.GetString()!).ToList();
            var roles = prompt.Task.Fields["roles"].EnumerateArray().Select(e => e.GetString()!).ToList();
            var text = ((TextPrompt)prompt.Content).Text;
            Assert.All(names, name => Assert.Contains($"{name} says: \"", text, StringComparison.Ordinal));
            var answer = string.Join(", ", names.Zip(roles, (name, role) => $"{name} is a {role}"));
            Assert.Equal(1, KnightsKnavesReward.Score(prompt.Task, $"<answer>{answer}</answer>").Score);
            var flipped = string.Join(", ", names.Zip(roles, (name, role) => $"{name} is a {(role == "knight" ? "knave" : "knight")}"));
            Assert.Equal(0, KnightsKnavesReward.Score(prompt.Task, $"<answer>{flipped}</answer>").Score);
        }
    }

    private static List<string> Texts(KnightsKnavesGenerator generator) =>
        Enumerable.Range(0, 20).Select(i => ((TextPrompt)generator.Get(i).Content).Text).ToList();
}
