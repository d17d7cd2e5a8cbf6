using R1Actors.Pipeline.Data;

namespace R1Actors.Configuration.Sections;

/// <summary>Binds <c>r1.data</c> to <see cref="DataSettings"/>.</summary>
public static class DataSettingsBinder
{
    private const string D = "r1.data";

    private static readonly string[] TaskFields = ["reference", "numbers", "target", "tests", "test_code", "entry_point", "program_prefix", "names", "roles", "puzzle"];

    public static DataSettings Bind(SettingsReader r)
    {
        var source = r.OneOf($"{D}.source", [.. PromptSources.SourceNames.Order(StringComparer.Ordinal)]);
        var files = r.StringList($"{D}.files");
        if (source == "files" && files.Count == 0)
            throw r.Fail($"{D}.files", "source = \"files\" needs at least one .jsonl or .parquet file, e.g. files = [\"data/train.jsonl\"]");
        CheckExtensions(r, $"{D}.files", files);
        var heldOutFiles = r.StringList($"{D}.held-out-files");
        if (heldOutFiles.Count > 0 && source != "files")
            throw r.Fail($"{D}.held-out-files", $"held-out files need source = \"files\"; the {source} generator makes its own held-out split (held-out-count)");
        CheckExtensions(r, $"{D}.held-out-files", heldOutFiles);
        return new DataSettings(
            source,
            files,
            (ulong)r.Long($"{D}.seed", min: 0),
            r.Bool($"{D}.shuffle"),
            r.Long($"{D}.max-epochs", min: 0),
            r.Double($"{D}.held-out-fraction", min: 0, max: 0.5),
            r.Int($"{D}.held-out-count", min: 0),
            r.Int($"{D}.max-logged-skips", min: 0),
            BindFields(r),
            BindCountdown(r),
            BindArithmetic(r)) { HeldOutFiles = heldOutFiles, KnightsKnaves = BindKnightsKnaves(r), Sudoku = BindSudoku(r) };
    }

    private static void CheckExtensions(SettingsReader r, string key, IReadOnlyList<string> files)
    {
        foreach (var file in files.Where(f => !PromptSources.Readers.ContainsKey(Path.GetExtension(f))))
            throw r.Fail(key, $"\"{file}\": expected a .jsonl, .json or .parquet file");
    }

    private static FieldMap BindFields(SettingsReader r)
    {
        var taskFields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in TaskFields)
        {
            if (r.OptionalString($"{D}.task-fields.{field}") is { } column)
                taskFields[field] = column;
        }
        return new FieldMap(
            r.String($"{D}.fields.id", allowEmpty: false),
            r.String($"{D}.fields.prompt", allowEmpty: false),
            r.String($"{D}.fields.messages", allowEmpty: false),
            r.String($"{D}.fields.task", allowEmpty: false),
            r.String($"{D}.default-task", allowEmpty: false),
            taskFields);
    }

    private static CountdownOptions BindCountdown(SettingsReader r)
    {
        var minNumbers = r.Int($"{D}.countdown.min-numbers", min: 2, max: 8);
        var minTarget = r.Int($"{D}.countdown.min-target", min: 0);
        return new CountdownOptions(
            r.Int($"{D}.countdown.count", min: 1),
            minNumbers,
            r.Int($"{D}.countdown.max-numbers", min: minNumbers, max: 8),
            r.Int($"{D}.countdown.max-number", min: 1, max: 10_000),
            minTarget,
            r.Int($"{D}.countdown.max-target", min: minTarget));
    }

    private static KnightsKnavesOptions BindKnightsKnaves(SettingsReader r)
    {
        var minPeople = r.Int($"{D}.knights-knaves.min-people", min: 1, max: KnightsKnavesOptions.PeopleLimit);
        return new KnightsKnavesOptions(
            r.Int($"{D}.knights-knaves.count", min: 1),
            minPeople,
            r.Int($"{D}.knights-knaves.max-people", min: minPeople, max: KnightsKnavesOptions.PeopleLimit),
            r.Int($"{D}.knights-knaves.depth", min: 1, max: KnightsKnavesOptions.DepthLimit));
    }

    private static SudokuOptions BindSudoku(SettingsReader r)
    {
        var side = r.Int($"{D}.sudoku.side", min: 4, max: 9);
        if (Rewards.Logic.SudokuGrid.Box(side) is null) throw r.Fail($"{D}.sudoku.side", $"{side}: expected 4, 6 or 9");
        return new SudokuOptions(r.Int($"{D}.sudoku.count", min: 1), side, r.Int($"{D}.sudoku.blanks", min: 1, max: side * side));
    }

    private static ArithmeticOptions BindArithmetic(SettingsReader r)
    {
        var key = $"{D}.arithmetic.operations";
        var names = r.StringList(key);
        var operations = names.Select(name => ArithmeticOperation.All.FirstOrDefault(o => o.Name == name)
            ?? throw r.Fail(key, $"unknown operation \"{name}\"; expected some of {string.Join(", ", ArithmeticOperation.All.Select(o => $"\"{o.Name}\""))}")).ToArray();
        if (operations.Length == 0)
            throw r.Fail(key, "expected at least one operation, such as [\"add\"]");
        var minDigits = r.Int($"{D}.arithmetic.min-digits", min: 1, max: 40);
        var style = r.OneOf($"{D}.arithmetic.style", "sentence", "compact", "trace");
        var minOperands = r.Int($"{D}.arithmetic.min-operands", min: 2, max: 9);
        var maxOperands = r.Int($"{D}.arithmetic.max-operands", min: minOperands, max: 9);
        if (style == "trace" && operations.Any(o => o != ArithmeticOperation.Add))
            throw r.Fail(key, "style \"trace\" writes the carries of a sum; use operations = [\"add\"]");
        if (style != "trace" && maxOperands != 2)
            throw r.Fail($"{D}.arithmetic.max-operands", $"only style \"trace\" sums more than two operands; style is \"{style}\"");
        return new ArithmeticOptions(
            r.Int($"{D}.arithmetic.count", min: 1),
            minDigits,
            r.Int($"{D}.arithmetic.max-digits", min: minDigits, max: 40),
            operations,
            r.Bool($"{D}.arithmetic.reversed-answer"),
            style == "compact",
            style == "trace",
            minOperands,
            maxOperands);
    }
}
