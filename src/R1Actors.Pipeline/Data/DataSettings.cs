namespace R1Actors.Pipeline.Data;

/// <summary>Where prompts come from and in what order (<c>r1.data</c> in reference.conf).</summary>
public sealed record DataSettings(
    string Source,
    IReadOnlyList<string> Files,
    ulong Seed,
    bool Shuffle,
    long MaxEpochs,
    double HeldOutFraction,
    int HeldOutCount,
    int MaxLoggedSkips,
    FieldMap Fields,
    CountdownOptions Countdown,
    ArithmeticOptions Arithmetic)
{
    /// <summary>Files that are the held-out split (a dataset's test split); empty = the held-out fraction of <see cref="Files"/>.</summary>
    public IReadOnlyList<string> HeldOutFiles { get; init; } = [];

    /// <summary>The Knights and Knaves generator's sizes (<c>r1.data.knights-knaves</c>).</summary>
    public KnightsKnavesOptions KnightsKnaves { get; init; } = new(100_000, 2, 4, 2);

    /// <summary>The sudoku generator's sizes (<c>r1.data.sudoku</c>).</summary>
    public SudokuOptions Sudoku { get; init; } = new(100_000, 4, 8);
}
