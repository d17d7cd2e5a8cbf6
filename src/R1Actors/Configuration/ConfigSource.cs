using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace R1Actors.Configuration;

/// <summary>
/// The layered configuration of one run: the embedded <c>reference.conf</c> (every key and its default),
/// then an optional file (<c>--config</c>), then <c>--set key=value</c> overrides, each later layer winning.
/// Every key a layer sets must exist in reference.conf — except below blocks that reference.conf leaves
/// empty (<c>{}</c>), which are open maps. Remembers where each key was set, for error messages.
/// </summary>
public sealed class ConfigSource
{
    private readonly List<Layer> _layers;
    private readonly HashSet<string> _referenceKeys;
    private readonly List<string> _openBlocks;

    private ConfigSource(List<Layer> layers, HashSet<string> referenceKeys, List<string> openBlocks)
    {
        _layers = layers;
        _referenceKeys = referenceKeys;
        _openBlocks = openBlocks;
        Merged = layers.Select(l => l.Config).Aggregate((low, high) => high.WithFallback(low));
    }

    /// <summary>The effective configuration (all layers merged).</summary>
    public Config Merged { get; }

    /// <summary>The file given with <c>--config</c>, if any.</summary>
    public string? ConfigFile { get; private init; }

    public static ConfigSource Load(string? configFile, IReadOnlyList<string> sets) =>
        Load(ReadReference(), configFile, sets);

    public static ConfigSource Load(string referenceText, string? configFile, IReadOnlyList<string> sets)
    {
        var reference = Layer.Parse("reference.conf", referenceText);
        var referenceKeys = new HashSet<string>(StringComparer.Ordinal);
        var openBlocks = new List<string>();
        CollectLeaves(reference.Config.Root, "", referenceKeys, openBlocks);

        var layers = new List<Layer> { reference };
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new SettingsException("--config", configFile, "the file does not exist");
            }
            layers.Add(Layer.Parse(configFile, File.ReadAllText(configFile)));
        }
        foreach (var set in sets)
        {
            layers.Add(Layer.FromSet(set));
        }
        var source = new ConfigSource(layers, referenceKeys, openBlocks) { ConfigFile = configFile };
        foreach (var layer in layers.Skip(1))
        {
            source.CheckKnownKeys(layer);
        }
        return source;
    }

    /// <summary>Where <paramref name="key"/> got its value: "FILE line N", "--set" or "reference.conf line N".</summary>
    public string OriginOf(string key)
    {
        for (var i = _layers.Count - 1; i >= 0; i--)
        {
            if (_layers[i].Config.HasPath(key))
            {
                return _layers[i].Describe(key);
            }
        }
        return "reference.conf";
    }

    /// <summary>Reference keys, for suggestions and for tests that check every key is bound.</summary>
    public IReadOnlyCollection<string> ReferenceKeys => _referenceKeys;

    private void CheckKnownKeys(Layer layer)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        CollectLeaves(layer.Config.Root, "", leaves, []);
        foreach (var key in leaves.Order(StringComparer.Ordinal))
        {
            if (_referenceKeys.Contains(key) || _openBlocks.Any(b => key.StartsWith(b + ".", StringComparison.Ordinal)))
            {
                continue;
            }
            var block = _referenceKeys.FirstOrDefault(k => k.StartsWith(key + ".", StringComparison.Ordinal));
            var problem = block is not null
                ? $"expected a block of keys (such as '{block}'), got a single value"
                : $"unknown key{Suggest(key)}; every key R1Actors reads is listed, with its default, in hocon/reference.conf";
            throw new SettingsException(key, layer.Describe(key), problem);
        }
    }

    private string Suggest(string key)
    {
        var best = _referenceKeys
            .Select(k => (Key: k, Distance: Levenshtein(k, key)))
            .OrderBy(p => p.Distance)
            .FirstOrDefault();
        var leaf = key[(key.LastIndexOf('.') + 1)..];
        var sameLeaf = _referenceKeys.FirstOrDefault(k => k.EndsWith("." + leaf, StringComparison.Ordinal));
        var suggestion = best.Key is not null && best.Distance <= Math.Max(3, key.Length / 4) ? best.Key : sameLeaf;
        return suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
    }

    private static void CollectLeaves(HoconValue value, string prefix, HashSet<string> leaves, List<string> openBlocks)
    {
        if (value.IsObject())
        {
            var items = value.GetObject().Items;
            if (items.Count == 0 && prefix.Length > 0)
            {
                openBlocks.Add(prefix);
            }
            foreach (var (name, child) in items)
            {
                CollectLeaves(child, prefix.Length == 0 ? name : $"{prefix}.{name}", leaves, openBlocks);
            }
        }
        else if (prefix.Length > 0)
        {
            leaves.Add(prefix);
        }
    }

    private static string ReadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in r1actors");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            previous = current;
        }
        return previous[b.Length];
    }

    private sealed record Layer(string Name, Config Config, IReadOnlyDictionary<string, int>? Lines)
    {
        public static Layer Parse(string name, string text)
        {
            if (HoconLineIndex.FindUnbalanced(text) is { } unbalanced)
            {
                throw new SettingsException($"Configuration error in {name}: not valid HOCON ({unbalanced})", new FormatException(unbalanced));
            }
            try
            {
                return new Layer(name, ConfigurationFactory.ParseString(text), HoconLineIndex.Build(text));
            }
            catch (Exception e) when (e is not SettingsException)
            {
                throw new SettingsException($"Configuration error in {name}: not valid HOCON ({e.Message})", e);
            }
        }

        public static Layer FromSet(string assignment)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new SettingsException(assignment, "--set", "expected key=value");
            }
            var key = assignment[..equals].Trim();
            var value = assignment[(equals + 1)..].Trim();
            try
            {
                return new Layer("--set", ConfigurationFactory.ParseString($"{key} = {value}"), null);
            }
            catch (Exception)
            {
                var quoted = "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
                return new Layer("--set", ConfigurationFactory.ParseString($"{key} = {quoted}"), null);
            }
        }

        public string Describe(string key)
        {
            if (Lines is null)
            {
                return Name;
            }
            var line = HoconLineIndex.Find(Lines, key);
            return line is null ? Name : $"{Name} line {line}";
        }
    }
}
