using System.Text.Json;
using R1Actors.Rewards.Logic;

namespace R1Actors.Rewards.Tests.Logic;

public sealed class KnightsKnavesRewardTests
{
    private static readonly TaskSpec Puzzle = Task(["Alice", "Bob", "Carol"], ["knight", "knave", "knave"]);

    [Theory]
    [InlineData("<think>…</think> <answer>Alice is a knight, Bob is a knave, Carol is a knave</answer>")]
    [InlineData("<answer>Bob and Carol are knaves; Alice is a knight.</answer>")]
    [InlineData("<answer>(1) alice: Knight (2) BOB: knave (3) Carol: knave</answer>")]
    [InlineData("<answer>Alice is not a knave, Bob is not a knight and Carol is a knave</answer>")]
    [InlineData("<answer>\\boxed{Alice: knight, Bob: knave, Carol: knave}</answer>")]
    [InlineData("So \\boxed{\\text{Alice is a knight, Bob and Carol are knaves}}")]
    public void Every_role_right_scores_one_however_it_is_written(string completion)
    {
        Assert.Equal(1, KnightsKnavesReward.Score(Puzzle, completion).Score);
    }

    [Theory]
    // wrong roles
    [InlineData("<answer>Alice is a knave, Bob is a knight, Carol is a knight</answer>", "0 of 3 roles right")]
    [InlineData("<answer>Alice is a knight, Bob is a knight, Carol is a knave</answer>", "2 of 3 roles right")]
    [InlineData("<answer>Alice, Bob and Carol are knights</answer>", "1 of 3 roles right")]
    // malformed answers
    [InlineData("<answer>Alice is a knight, Alice is a knave, Bob is a knave, Carol is a knave</answer>", "gives Alice both roles")]
    [InlineData("Alice is a knight, Bob is a knave, Carol is a knave", "no answer found")]
    [InlineData("<answer>knight knave knave</answer>", "0 of 3 roles right; no role for Alice, Bob, Carol")]
    [InlineData("<answer></answer>", "no role for Alice")]
    public void A_wrong_or_malformed_answer_scores_zero_with_the_reason(string completion, string reason)
    {
        var outcome = KnightsKnavesReward.Score(Puzzle, completion);
        Assert.Equal(0, outcome.Score);
        Assert.Contains(reason, outcome.Reason);
    }

    [Fact]
    public void A_partial_answer_scores_zero_and_names_who_is_missing()
    {
        var outcome = KnightsKnavesReward.Score(Puzzle, "<answer>Alice is a knight, Bob is a knave</answer>");
        Assert.Equal(0, outcome.Score);
        Assert.Contains("2 of 3 roles right; no role for Carol", outcome.Reason);
    }

    [Fact]
    public void A_task_without_one_role_per_name_is_invalid()
    {
        var outcome = KnightsKnavesReward.Score(Task(["Alice", "Bob"], ["knight"]), "<answer>Alice is a knight</answer>");
        Assert.Equal(0, outcome.Score);
        Assert.StartsWith("invalid task", outcome.Reason);
        Assert.StartsWith("invalid task", KnightsKnavesReward.Score(Task(["Alice"], ["liar"]), "<answer>Alice is a knight</answer>").Reason);
    }

    [Fact]
    public void The_solver_finds_the_one_solution_and_sees_when_there_are_two()
    {
        // Alice: "Bob is a knave". Bob: "Alice and I are both knights".
        Statement[] unique = [new RoleIs(1, false), new Joined(Connective.And, new RoleIs(0, true), new RoleIs(1, true))];
        var solutions = KnightsKnavesSolver.Solutions(unique);
        Assert.Equal([true, false], Assert.Single(solutions));
        // Alice: "I am a knight": true of a knight, false of a knave: both roles fit.
        Assert.Equal(2, KnightsKnavesSolver.Solutions([new RoleIs(0, true)]).Count);
        Assert.Equal("Bob is a knave", unique[0].Render(["Alice", "Bob"]));
        Assert.Equal("Alice is a knight and Bob is a knight", unique[1].Render(["Alice", "Bob"]));
        Assert.Equal("it is not the case that (Alice is a knight or Bob is a knave)",
            new Not(new Joined(Connective.Or, new RoleIs(0, true), new RoleIs(1, false))).Render(["Alice", "Bob"]));
        Assert.Equal(2, unique[1].Depth);
    }

    [Fact]
    public async Task The_dispatcher_scores_knights_knaves_tasks_with_its_weights()
    {
        await using var dispatcher = RewardDispatcher.Create(new RewardSettings());
        var outcome = await dispatcher.ScoreAsync(Puzzle, "<think>t</think>\n<answer>Alice is a knight, Bob is a knave, Carol is a knave</answer>", CancellationToken.None);
        Assert.Equal(1.1, outcome.Score, 6);
    }

    private static TaskSpec Task(string[] names, string[] roles) => new(TaskKinds.KnightsKnaves, new Dictionary<string, JsonElement>
    {
        ["names"] = JsonSerializer.SerializeToElement(names),
        ["roles"] = JsonSerializer.SerializeToElement(roles),
    });
}
