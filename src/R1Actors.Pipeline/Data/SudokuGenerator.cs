using System.Text.Json;
using R1Actors.Rewards.Logic;

namespace R1Actors.Pipeline.Data;

/// <summary>Sizes of the sudoku generator (<c>r1.data.sudoku</c>): the grid's side (4, 6 or 9) and how many cells to empty.</summary>
public sealed record SudokuOptions(int Count, int Side, int Blanks);

/// <summary>
/// Mini-sudoku puzzles (task <c>sudoku</c>, field <c>puzzle</c>): a solved grid from the standard pattern, shuffled
/// (digits, rows within bands, bands, columns within stacks, stacks), then cells emptied in random order, each
/// only if the puzzle keeps exactly one solution, until <c>blanks</c> are empty or no other cell can go.
/// </summary>
public sealed class SudokuGenerator(SudokuOptions options, ulong seed, HeldOutPartition partition, DataSplit split)
    : GeneratedDataset("sudoku", TaskKinds.Sudoku, options.Count, seed, partition, split)
{
    protected override Prompt Generate(ref SplitMix64 random, string id)
    {
        var puzzle = DrawPuzzle(ref random, options.Side, options.Blanks);
        return ToPrompt(id, puzzle, options.Side);
    }

    /// <summary>A puzzle with exactly one solution, 0 for its empty cells.</summary>
    internal static int[] DrawPuzzle(ref SplitMix64 random, int side, int blanks)
    {
        var grid = Solved(ref random, side);
        var order = Shuffled(ref random, side * side);
        var emptied = 0;
        foreach (var cell in order)
        {
            if (emptied == blanks) break;
            var digit = grid[cell];
            grid[cell] = 0;
            if (SudokuGrid.CountSolutions(grid, side) == 1) emptied++;
            else grid[cell] = digit;
        }
        return grid;
    }

    /// <summary>The pattern <c>(boxColumns·(r mod boxRows) + r div boxRows + c) mod side</c>, with rows, columns and digits shuffled within the rules.</summary>
    private static int[] Solved(ref SplitMix64 random, int side)
    {
        var (boxRows, boxColumns) = SudokuGrid.Box(side)!.Value;
        var rows = Grouped(ref random, side / boxRows, boxRows);
        var columns = Grouped(ref random, side / boxColumns, boxColumns);
        var digits = Shuffled(ref random, side);
        var grid = new int[side * side];
        for (var r = 0; r < side; r++)
        {
            for (var c = 0; c < side; c++)
            {
                int row = rows[r], column = columns[c];
                grid[r * side + c] = digits[(boxColumns * (row % boxRows) + row / boxRows + column) % side] + 1;
            }
        }
        return grid;
    }

    /// <summary>0..groups·size−1 with the groups shuffled and the members shuffled within each group.</summary>
    private static int[] Grouped(ref SplitMix64 random, int groups, int size)
    {
        var order = new List<int>();
        foreach (var group in Shuffled(ref random, groups))
        {
            foreach (var member in Shuffled(ref random, size)) order.Add(group * size + member);
        }
        return [.. order];
    }

    private static int[] Shuffled(ref SplitMix64 random, int count)
    {
        var items = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }

    private static Prompt ToPrompt(string id, int[] puzzle, int side)
    {
        var (boxRows, boxColumns) = SudokuGrid.Box(side)!.Value;
        var rows = Enumerable.Range(0, side).Select(r => string.Join(" ", puzzle.Skip(r * side).Take(side).Select(d => d == 0 ? "." : d.ToString()))).ToList();
        var text = $"Solve this {side}×{side} sudoku: fill each empty cell (.) so that every row, every column and every {boxRows}×{boxColumns} box " +
                   $"holds each digit from 1 to {side} exactly once.\n{string.Join("\n", rows)}\n" +
                   "Show your reasoning in <think> </think> tags and give the completed grid, row by row, in <answer> </answer> tags.";
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["puzzle"] = JsonSerializer.SerializeToElement(string.Join("|", rows.Select(r => r.Replace(" ", "", StringComparison.Ordinal)))),
        };
        return new Prompt(id, new TextPrompt(text), new TaskSpec(TaskKinds.Sudoku, fields));
    }
}
