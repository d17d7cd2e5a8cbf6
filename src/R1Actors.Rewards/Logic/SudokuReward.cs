namespace R1Actors.Rewards.Logic;

/// <summary>
/// The <c>sudoku</c> answer component: the task's <c>puzzle</c> (a 4×4, 6×6 or 9×9 grid as text, <c>.</c> or
/// <c>0</c> for an empty cell); the answer's digits, read row by row from the <c>&lt;answer&gt;</c> block (any
/// spacing, separators or brackets), must fill the grid, keep every given digit and obey the rules.
/// </summary>
/// <example>
/// puzzle <c>.2..|3...|.1.3|43.1</c>: <c>&lt;answer&gt;1234 3412 2143 4321&lt;/answer&gt;</c> → 1 (it keeps the clues and is solved); 15 digits → 0 ("15 digits, not 16"); a repeated digit in a row → 0.
/// </example>
public sealed class SudokuReward : IRewardFunction
{
    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(task, completion));

    public static RewardOutcome Score(TaskSpec task, string completion)
    {
        if (!task.TryGetText("puzzle", out var text, out var problem)) return Outcomes.Fail(RewardComponents.Answer, $"invalid task: {problem}");
        var puzzle = SudokuGrid.Parse(text);
        var side = (int)Math.Round(Math.Sqrt(puzzle.Length));
        if (side * side != puzzle.Length || SudokuGrid.Box(side) is null || puzzle.Any(d => d > side))
            return Outcomes.Fail(RewardComponents.Answer, $"invalid task: puzzle has {puzzle.Length} cells, not a 4×4, 6×6 or 9×9 grid");
        var (answer, unread) = PuzzleAnswer.Read(completion);
        if (answer is null) return Outcomes.Fail(RewardComponents.Answer, unread!);
        var grid = answer.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (grid.Length != puzzle.Length) return Outcomes.Fail(RewardComponents.Answer, $"the answer has {grid.Length} digits, not {puzzle.Length}");
        var changed = Enumerable.Range(0, puzzle.Length).Count(c => puzzle[c] != 0 && puzzle[c] != grid[c]);
        if (changed > 0) return Outcomes.Fail(RewardComponents.Answer, $"the answer changes {changed} given digit{(changed == 1 ? "" : "s")}");
        return SudokuGrid.IsSolved(grid, side)
            ? Outcomes.Pass(RewardComponents.Answer)
            : Outcomes.Fail(RewardComponents.Answer, "the grid breaks a rule: a digit repeats in a row, column or box, or is out of range");
    }
}
