using Akka.Configuration;
using R1Actors.Pipeline.Settings;

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
    public static DataSettings Create(Config root)
    {
        var r = new ConfigReader(root, "r1.data");
        var settings = new DataSettings(
            r.OneOf("source", [.. PromptSources.SourceNames]),
            r.StringList("files"),
            r.Seed("seed"),
            r.Bool("shuffle"),
            r.Long("max-epochs", 0),
            r.Double("held-out-fraction", 0, 0.5),
            r.Int("held-out-count", 0),
            r.Int("max-logged-skips", 0),
            ReadFields(r),
            ReadCountdown(r.Section("countdown")),
            ReadArithmetic(r.Section("arithmetic")));
        r.RejectUnknownKeys();
        if (settings.Source == "files" && settings.Files.Count == 0)
            throw new SettingsException(r.Key("files"), "source = files needs at least one .jsonl or .parquet file");
        return settings;
    }

    private static FieldMap ReadFields(ConfigReader r)
    {
        var fields = r.Section("fields");
        var map = new FieldMap(
            fields.String("id"),
            fields.String("prompt"),
            fields.String("messages"),
            fields.String("task"),
            r.String("default-task"),
            r.StringMap("task-fields"));
        fields.RejectUnknownKeys();
        return map;
    }

    private static CountdownOptions ReadCountdown(ConfigReader r)
    {
        var minNumbers = r.Int("min-numbers", 2, 8);
        var minTarget = r.Int("min-target", 0);
        var options = new CountdownOptions(
            r.Int("count", 1),
            minNumbers,
            r.Int("max-numbers", minNumbers, 8),
            r.Int("max-number", 1, 10_000),
            minTarget,
            r.Int("max-target", minTarget));
        r.RejectUnknownKeys();
        return options;
    }

    private static ArithmeticOptions ReadArithmetic(ConfigReader r)
    {
        var minDigits = r.Int("min-digits", 1, 40);
        var names = r.StringList("operations");
        var operations = names.Select(n => ArithmeticOperation.All.FirstOrDefault(o => o.Name == n)
            ?? throw new SettingsException(r.Key("operations"),
                $"unknown operation '{n}'; expected some of {string.Join(", ", ArithmeticOperation.All.Select(o => o.Name))}")).ToArray();
        if (operations.Length == 0)
            throw new SettingsException(r.Key("operations"), "expected at least one operation");
        var options = new ArithmeticOptions(
            r.Int("count", 1), minDigits, r.Int("max-digits", minDigits, 40), operations, r.Bool("reversed-answer"));
        r.RejectUnknownKeys();
        return options;
    }
}
