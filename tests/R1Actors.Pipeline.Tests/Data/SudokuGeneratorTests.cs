using R1Actors.Pipeline.Data;
using R1Actors.Rewards.Logic;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class SudokuGeneratorTests
{
    [Theory]
    [InlineData(4, 8)]
    [InlineData(6, 18)]
    [InlineData(9, 40)]
    public void Every_puzzle_has_exactly_one_solution_and_the_blanks_asked_for(int side, int blanks)
    {
        var random = new SplitMix64(5);
        for (var i = 0; i < 10; i++)
        {
            var puzzle = SudokuGenerator.DrawPuzzle(ref random, side, blanks);
            Assert.Equal(side * side, puzzle.Length);
            Assert.Equal(blanks, puzzle.Count(d => d == 0));
            Assert.Equal(1, SudokuGrid.CountSolutions(puzzle, side, limit: 5));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_puzzles_another_seed_others_and_each_prompt_shows_its_grid()
    {
        var options = new SudokuOptions(Count: 50, Side: 4, Blanks: 8);
        var a = new SudokuGenerator(options, 11, new HeldOutPartition(0.05), DataSplit.Training);
        var b = new SudokuGenerator(options, 11, new HeldOutPartition(0.05), DataSplit.Training);
        var c = new SudokuGenerator(options, 12, new HeldOutPartition(0.05), DataSplit.Training);
        Assert.Equal(Puzzles(a), Puzzles(b));
        Assert.NotEqual(Puzzles(a), Puzzles(c));
        var prompt = a.Get(0);
        var firstRow = string.Join(" ", Puzzles(a)[0].Split('|')[0].Select(ch => ch.ToString()));
        Assert.Contains(firstRow, ((TextPrompt)prompt.Content).Text, StringComparison.Ordinal);
    }

    private static List<string> Puzzles(SudokuGenerator generator) =>
        Enumerable.Range(0, 20).Select(i => generator.Get(i).Task.Fields["puzzle"].GetString()!).ToList();
}
