using System.Text.Json;
using R1Actors.Rewards.Logic;

namespace R1Actors.Rewards.Tests.Logic;

public sealed class SudokuRewardTests
{
    // Solution 1234 / 3412 / 2143 / 4321.
    private static readonly TaskSpec Puzzle = Task(".2..|3...|.1.3|43.1");

    [Theory]
    [InlineData("<think>…</think><answer>1234\n3412\n2143\n4321</answer>")]
    [InlineData("<answer>1 2 3 4 | 3 4 1 2 | 2 1 4 3 | 4 3 2 1</answer>")]
    [InlineData("<answer>[[1,2,3,4],[3,4,1,2],[2,1,4,3],[4,3,2,1]]</answer>")]
    [InlineData("The grid is \\boxed{\\begin{matrix}1&2&3&4\\\\3&4&1&2\\\\2&1&4&3\\\\4&3&2&1\\end{matrix}}")]
    public void A_solved_grid_that_keeps_the_clues_scores_one_however_it_is_written(string completion)
    {
        Assert.Equal(1, SudokuReward.Score(Puzzle, completion).Score);
    }

    [Theory]
    // wrong grids
    [InlineData("<answer>3214 3412 2143 4321</answer>", "breaks a rule")]
    [InlineData("<answer>2143 4321 1234 3412</answer>", "changes")]
    [InlineData("<answer>1234 3412 2143 4301</answer>", "breaks a rule")]
    // partial and malformed answers
    [InlineData("<answer>1234 3412 2143</answer>", "12 digits, not 16")]
    [InlineData("<answer>1234 3412 2143 43211</answer>", "17 digits, not 16")]
    [InlineData("1234 3412 2143 4321", "no answer found")]
    [InlineData("<answer>no idea</answer>", "0 digits")]
    public void A_wrong_partial_or_malformed_grid_scores_zero_with_the_reason(string completion, string reason)
    {
        var outcome = SudokuReward.Score(Puzzle, completion);
        Assert.Equal(0, outcome.Score);
        Assert.Contains(reason, outcome.Reason);
    }

    [Theory]
    [InlineData(".2..|3...|.1.3")]
    [InlineData(".5..|3...|.1.3|43.1")]
    public void A_puzzle_that_is_not_a_grid_is_an_invalid_task(string puzzle)
    {
        Assert.StartsWith("invalid task", SudokuReward.Score(Task(puzzle), "<answer>1234 3412 2143 4321</answer>").Reason);
    }

    [Fact]
    public void Solutions_are_counted_up_to_the_limit()
    {
        Assert.Equal(1, SudokuGrid.CountSolutions(SudokuGrid.Parse(".2..|3...|.1.3|43.1"), 4));
        Assert.Equal(2, SudokuGrid.CountSolutions(new int[16], 4));
        Assert.Equal(0, SudokuGrid.CountSolutions(SudokuGrid.Parse("11..|....|....|...."), 4));
        Assert.True(SudokuGrid.IsSolved([1, 2, 3, 4, 3, 4, 1, 2, 2, 1, 4, 3, 4, 3, 2, 1], 4));
    }

    private static TaskSpec Task(string puzzle) =>
        new(TaskKinds.Sudoku, new Dictionary<string, JsonElement> { ["puzzle"] = JsonSerializer.SerializeToElement(puzzle) });
}
