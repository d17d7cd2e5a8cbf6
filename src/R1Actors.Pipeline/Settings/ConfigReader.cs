using System.Globalization;
using Akka.Configuration;

namespace R1Actors.Pipeline.Settings;

/// <summary>
/// Reads one HOCON block into typed values, naming the full key in every error, and refuses keys that no
/// setting reads (a typo in a key would otherwise be silently ignored).
/// </summary>
public sealed class ConfigReader
{
    private readonly Config _block;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ConfigReader(Config root, string path)
        : this(root, path, path)
    {
    }

    private ConfigReader(Config parent, string relativePath, string fullPath)
    {
        Path = fullPath;
        if (!parent.HasPath(relativePath))
            throw new SettingsException(fullPath, "the block is missing; it is defined in hocon/reference.conf");
        _block = parent.GetConfig(relativePath);
    }

    /// <summary>The block's full path, such as <c>r1.data.countdown</c>.</summary>
    public string Path { get; }

    /// <summary>The full key of one of the block's settings, for error messages.</summary>
    public string Key(string key) => $"{Path}.{key}";

    public int Int(string key, int min, int max = int.MaxValue) => checked((int)Long(key, min, max));

    public long Long(string key, long min, long max = long.MaxValue)
    {
        var text = Raw(key);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new SettingsException(Key(key), $"expected a whole number, got '{text}'");
        if (value < min || value > max)
            throw new SettingsException(Key(key), $"expected a value in [{min}, {max}], got {value}");
        return value;
    }

    public ulong Seed(string key)
    {
        var text = Raw(key);
        return ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new SettingsException(Key(key), $"expected a non-negative whole number, got '{text}'");
    }

    public double Double(string key, double min, double max)
    {
        var text = Raw(key);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new SettingsException(Key(key), $"expected a number, got '{text}'");
        if (value < min || value > max)
            throw new SettingsException(Key(key), $"expected a value in [{min}, {max}], got {value}");
        return value;
    }

    public bool Bool(string key)
    {
        var text = Raw(key);
        return text.ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw new SettingsException(Key(key), $"expected on/off, got '{text}'"),
        };
    }

    public string String(string key)
    {
        var text = Raw(key);
        return text.Length > 0 ? text : throw new SettingsException(Key(key), "expected a non-empty value");
    }

    public string OneOf(string key, params string[] allowed)
    {
        var text = String(key);
        return allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new SettingsException(Key(key), $"expected one of {string.Join(", ", allowed)}, got '{text}'");
    }

    public TimeSpan Duration(string key, TimeSpan min)
    {
        Raw(key);
        TimeSpan value;
        try
        {
            value = _block.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new SettingsException(Key(key), $"expected a duration such as 500ms, 30s or 10m, got '{Raw(key)}'");
        }
        return value >= min ? value : throw new SettingsException(Key(key), $"expected at least {min}, got {value}");
    }

    public IReadOnlyList<string> StringList(string key)
    {
        Require(key);
        try
        {
            return _block.GetStringList(key).ToArray();
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException(Key(key), "expected a list such as [a, b]");
        }
    }

    /// <summary>A nested block read by its own reader; its unknown keys are checked when it is read.</summary>
    public ConfigReader Section(string key)
    {
        Require(key);
        return new ConfigReader(_block, key, Key(key));
    }

    /// <summary>Marks a key as known whose block another part reads (a dispatcher block, read by Akka).</summary>
    public void Accept(string key) => Require(key);

    /// <summary>Every key of a nested block with its string value (for open-ended maps such as field names).</summary>
    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        Require(key);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in _block.GetConfig(key).AsEnumerable())
            map[entry.Key] = entry.Value.GetString();
        return map;
    }

    /// <summary>Fails on any key of the block that no setting has read.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var entry in _block.AsEnumerable())
        {
            var top = entry.Key.Split('.')[0];
            if (!_read.Contains(top))
                throw new SettingsException(Key(top), $"unknown key; the keys of {Path} are {string.Join(", ", _read.Order())}");
        }
    }

    private void Require(string key)
    {
        _read.Add(key);
        if (!_block.HasPath(key))
            throw new SettingsException(Key(key), "missing; every key has a default in hocon/reference.conf");
    }

    private string Raw(string key)
    {
        Require(key);
        return _block.GetString(key)?.Trim() ?? "";
    }
}
