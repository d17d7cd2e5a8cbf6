using System.Globalization;
using Akka.Configuration.Hocon;

namespace R1Actors.Configuration;

/// <summary>
/// Typed, validated access to the effective configuration. Every getter either returns a value of the
/// right type and range or throws a <see cref="SettingsException"/> naming the key, where it was set
/// and what was expected. Defaults live only in reference.conf, never here.
/// </summary>
public sealed class SettingsReader(ConfigSource source)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ConfigSource Source { get; } = source;

    /// <summary>Every key read so far: a test checks that binding reads every key of reference.conf.</summary>
    public IReadOnlyCollection<string> KeysRead => _read;

    public string String(string key, bool allowEmpty = true)
    {
        var value = Scalar(key, "a string");
        if (!allowEmpty && value.Length == 0)
        {
            throw Fail(key, "expected a non-empty string, got an empty one");
        }
        return value;
    }

    /// <summary>An optional string: the empty string means "not set".</summary>
    public string? OptionalString(string key)
    {
        var value = String(key);
        return value.Length == 0 ? null : value;
    }

    public string OneOf(string key, params string[] allowed)
    {
        var value = String(key);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw Fail(key, $"expected one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}, got \"{value}\"");
    }

    public bool Bool(string key)
    {
        var text = Scalar(key, "true or false");
        return text switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw Fail(key, $"expected true or false, got \"{text}\""),
        };
    }

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) =>
        checked((int)Long(key, min, max));

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = Scalar(key, "a whole number");
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Fail(key, $"expected a whole number, got \"{text}\"");
        }
        return value < min || value > max ? throw Fail(key, $"expected a whole number {Range(min, max)}, got {value}") : value;
    }

    public double Double(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool minExclusive = false)
    {
        var text = Scalar(key, "a number");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Fail(key, $"expected a number, got \"{text}\"");
        }
        var below = minExclusive ? value <= min : value < min;
        if (below || value > max)
        {
            var low = double.IsNegativeInfinity(min) ? "" : (minExclusive ? $"> {min.ToString(CultureInfo.InvariantCulture)}" : $">= {min.ToString(CultureInfo.InvariantCulture)}");
            var high = double.IsPositiveInfinity(max) ? "" : $"<= {max.ToString(CultureInfo.InvariantCulture)}";
            throw Fail(key, $"expected a number {string.Join(" and ", new[] { low, high }.Where(s => s.Length > 0))}, got {text}");
        }
        return value;
    }

    /// <summary>A duration such as <c>90s</c>, <c>15m</c>, <c>2h</c>, <c>1d</c>, or <c>0</c> for none.</summary>
    public TimeSpan Duration(string key)
    {
        var text = Scalar(key, "a duration");
        if (text == "0")
        {
            return TimeSpan.Zero;
        }
        var unit = text.TrimStart("0123456789.".ToCharArray());
        var number = text[..^unit.Length];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0)
        {
            throw Fail(key, $"expected a duration like 90s, 15m, 2h or 1d, got \"{text}\"");
        }
        return unit.Trim() switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" or "min" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            _ => throw Fail(key, $"expected a duration like 90s, 15m, 2h or 1d, got \"{text}\""),
        };
    }

    public IReadOnlyList<string> StringList(string key)
    {
        var value = Value(key);
        if (value.Values.Any(v => v is HoconArray) && value.Values.All(v => v is HoconArray { } a ? a.GetArray().Count == 0 : string.IsNullOrWhiteSpace(v.GetString())))
        {
            return []; // Akka's HOCON does not count an empty list ([]) as an array
        }
        if (!value.IsArray())
        {
            throw Fail(key, $"expected a list such as [\"a\", \"b\"], got {Describe(value)}");
        }
        return value.GetArray().Select(v => v.IsObject() || v.IsArray() ? throw Fail(key, "expected a list of plain values") : v.GetString()).ToList();
    }

    public IReadOnlyList<long> LongList(string key) =>
        StringList(key).Select(s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : throw Fail(key, $"expected a list of whole numbers, found \"{s}\"")).ToList();

    /// <summary>The keys and string values of an open block (reference.conf leaves it as <c>{}</c>).</summary>
    public IReadOnlyDictionary<string, string> Map(string key)
    {
        var value = Value(key);
        if (!value.IsObject())
        {
            throw Fail(key, $"expected a block of key = value pairs, got {Describe(value)}");
        }
        return value.GetObject().Items.ToDictionary(kv => kv.Key, kv => kv.Value.IsObject() || kv.Value.IsArray()
            ? throw Fail($"{key}.{kv.Key}", "expected a plain value")
            : kv.Value.GetString(), StringComparer.Ordinal);
    }

    public SettingsException Fail(string key, string problem) => new(key, Source.OriginOf(key), problem);

    private HoconValue Value(string key)
    {
        if (!Source.Merged.HasPath(key))
        {
            throw new InvalidOperationException($"R1Actors reads '{key}' but hocon/reference.conf does not define it");
        }
        _read.Add(key);
        return Source.Merged.GetValue(key);
    }

    private string Scalar(string key, string expected)
    {
        var value = Value(key);
        if (value.IsObject() || value.IsArray())
        {
            throw Fail(key, $"expected {expected}, got {Describe(value)}");
        }
        return value.GetString() ?? "";
    }

    private static string Describe(HoconValue value) =>
        value.IsObject() ? "a block of keys" : value.IsArray() ? "a list" : $"\"{value.GetString()}\"";

    private static string Range(long min, long max) => (min, max) switch
    {
        (long.MinValue, long.MaxValue) => "",
        (_, long.MaxValue) => $">= {min}",
        (long.MinValue, _) => $"<= {max}",
        _ => $"from {min} to {max}",
    };
}
