namespace R1Actors.Rewards.Logic;

/// <summary>
/// Sudoku grids of side 4 (2×2 boxes), 6 (2×3) or 9 (3×3), row by row, 0 for an empty cell. Solutions are
/// counted by backtracking with a limit, so "is it unique" costs at most two solutions' search.
/// </summary>
public static class SudokuGrid
{
    /// <summary>The sides supported and their box shapes (rows × columns).</summary>
    public static (int Rows, int Columns)? Box(int side) => side switch { 4 => (2, 2), 6 => (2, 3), 9 => (3, 3), _ => null };

    /// <summary>Whether digit <paramref name="digit"/> may go at <paramref name="cell"/> given the other filled cells.</summary>
    public static bool Allowed(int[] grid, int side, int cell, int digit)
    {
        var (boxRows, boxColumns) = Box(side)!.Value;
        int row = cell / side, column = cell % side;
        int top = row / boxRows * boxRows, left = column / boxColumns * boxColumns;
        for (var i = 0; i < side; i++)
        {
            if (i != column && grid[row * side + i] == digit) return false;
            if (i != row && grid[i * side + column] == digit) return false;
            var boxCell = (top + i / boxColumns) * side + left + i % boxColumns;
            if (boxCell != cell && grid[boxCell] == digit) return false;
        }
        return true;
    }

    /// <summary>Whether a full grid obeys the rules: every row, column and box holds 1..side once.</summary>
    /// <example><c>IsSolved([1,2,3,4, 3,4,1,2, 2,1,4,3, 4,3,2,1], 4)</c> → true.</example>
    public static bool IsSolved(int[] grid, int side) =>
        grid.Length == side * side && grid.All(d => d >= 1 && d <= side) && Enumerable.Range(0, grid.Length).All(c => Allowed(grid, side, c, grid[c]));

    /// <summary>How many ways the empty cells can be filled, counting up to <paramref name="limit"/>.</summary>
    public static int CountSolutions(int[] puzzle, int side, int limit = 2)
    {
        var grid = (int[])puzzle.Clone();
        return Count(grid, side, 0, limit);
    }

    private static int Count(int[] grid, int side, int from, int limit)
    {
        var cell = Array.IndexOf(grid, 0, from);
        if (cell < 0) return 1;
        var found = 0;
        for (var digit = 1; digit <= side && found < limit; digit++)
        {
            if (!Allowed(grid, side, cell, digit)) continue;
            grid[cell] = digit;
            found += Count(grid, side, cell + 1, limit - found);
            grid[cell] = 0;
        }
        return found;
    }

    /// <summary>A grid written as text: digits are cells, <c>.</c>, <c>0</c> or <c>_</c> empty ones, anything else ignored.</summary>
    /// <example><c>Parse("1.3. | ..2.")</c> → [1,0,3,0,0,0,2,0].</example>
    public static int[] Parse(string text) =>
        text.Where(c => c is >= '0' and <= '9' or '.' or '_').Select(c => c is '.' or '_' ? 0 : c - '0').ToArray();
}
