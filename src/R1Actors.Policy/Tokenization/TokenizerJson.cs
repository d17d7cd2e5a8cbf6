using System.Text.Json;
using System.Text.RegularExpressions;

namespace R1Actors.Policy.Tokenization;

/// <summary>
/// Reads a Hugging Face tokenizer.json into a <see cref="ByteLevelBpeTokenizer"/>. Accepts what byte-level BPE
/// tokenizers use — normalizer null or NFC; pre_tokenizer Split (Isolated) / ByteLevel / Sequence of them;
/// model BPE without byte fallback or subword affixes; decoder ByteLevel — and refuses anything else with the
/// file and key, rather than tokenizing differently from the model's own tokenizer.
/// </summary>
internal static class TokenizerJson
{
    public static ByteLevelBpeTokenizer Load(string path)
    {
        if (!File.Exists(path))
            throw new TokenizerFormatException($"{path}: file not found.");
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"{path}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            Require(root.ValueKind == JsonValueKind.Object, path, "(root)", "a JSON object");
            var (vocab, merges, ignoreMerges) = ReadModel(Property(root, "model", path, "model"), path);
            var added = new AddedTokens(ReadAddedTokens(root, path));
            var normalize = ReadNormalizer(root.TryGetProperty("normalizer", out var n) ? n : default, path, "normalizer");
            var preTokenizer = ReadPreTokenizer(Property(root, "pre_tokenizer", path, "pre_tokenizer"), path, "pre_tokenizer");
            CheckDecoder(root, path);
            var (eos, pad) = TokenizerConfig.SpecialTokenIds(Path.Combine(Path.GetDirectoryName(path) ?? ".", "tokenizer_config.json"),
                token => vocab.TryGetValue(token, out var id) ? id : added.All.FirstOrDefault(t => t.Content == token)?.Id);
            return new ByteLevelBpeTokenizer(new BpeModel(vocab, merges, ignoreMerges), vocab, added, preTokenizer, normalize, eos, pad ?? eos ?? 0);
        }
    }

    private static (Dictionary<string, int>, Dictionary<long, (int, int)>, bool) ReadModel(JsonElement model, string path)
    {
        Require(Text(model, "type", path, "model.type") == "BPE", path, "model.type", "\"BPE\"");
        Require(!Flag(model, "byte_fallback"), path, "model.byte_fallback", "false (byte-level BPE needs no fallback)");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            Require(!model.TryGetProperty(affix, out var a) || a.ValueKind == JsonValueKind.Null || a.GetString() == "",
                path, $"model.{affix}", "empty or null");
        Require(!model.TryGetProperty("dropout", out var d) || d.ValueKind == JsonValueKind.Null || (d.ValueKind == JsonValueKind.Number && d.GetDouble() == 0),
            path, "model.dropout", "null (R1Actors tokenizes deterministically)");
        var vocabElement = Property(model, "vocab", path, "model.vocab");
        Require(vocabElement.ValueKind == JsonValueKind.Object, path, "model.vocab", "an object of token → id");
        var vocab = new Dictionary<string, int>();
        foreach (var entry in vocabElement.EnumerateObject())
            vocab[entry.Name] = entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetInt32(out var id) && id >= 0
                ? id
                : throw new TokenizerFormatException($"{path}: key 'model.vocab.{entry.Name}' must be a non-negative integer id.");
        var merges = new Dictionary<long, (int, int)>();
        var mergesElement = Property(model, "merges", path, "model.merges");
        Require(mergesElement.ValueKind == JsonValueKind.Array, path, "model.merges", "an array");
        var rank = 0;
        foreach (var merge in mergesElement.EnumerateArray())
        {
            var (left, right) = MergePair(merge, path, rank);
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) || !vocab.TryGetValue(left + right, out var m))
                throw new TokenizerFormatException($"{path}: key 'model.merges[{rank}]' ({left} {right}) names a token missing from model.vocab.");
            merges.TryAdd(BpeModel.Key(l, r), (rank, m));
            rank++;
        }
        return (vocab, merges, Flag(model, "ignore_merges"));
    }

    private static (string, string) MergePair(JsonElement merge, string path, int rank)
    {
        if (merge.ValueKind == JsonValueKind.String && merge.GetString()!.Split(' ') is [var a, var b])
            return (a, b);
        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
            && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            return (merge[0].GetString()!, merge[1].GetString()!);
        throw new TokenizerFormatException($"{path}: key 'model.merges[{rank}]' must be \"left right\" or [left, right].");
    }

    private static IEnumerable<AddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null)
            yield break;
        Require(list.ValueKind == JsonValueKind.Array, path, "added_tokens", "an array");
        var i = 0;
        foreach (var token in list.EnumerateArray())
        {
            var key = $"added_tokens[{i++}]";
            Require(!Flag(token, "single_word"), path, $"{key}.single_word", "false");
            var id = Property(token, "id", path, $"{key}.id");
            Require(id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var value) && value >= 0, path, $"{key}.id", "a non-negative integer");
            yield return new AddedToken(id.GetInt32(), Text(token, "content", path, $"{key}.content"),
                Flag(token, "special"), Flag(token, "lstrip"), Flag(token, "rstrip"));
        }
    }

    private static bool ReadNormalizer(JsonElement normalizer, string path, string key)
    {
        if (normalizer.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            return false;
        return Text(normalizer, "type", path, $"{key}.type") switch
        {
            "NFC" => true,
            "Sequence" => Property(normalizer, "normalizers", path, $"{key}.normalizers").EnumerateArray()
                .Select((n, i) => ReadNormalizer(n, path, $"{key}.normalizers[{i}]")).Aggregate(false, (a, b) => a | b),
            var other => throw new TokenizerFormatException($"{path}: key '{key}.type' is '{other}'; R1Actors implements NFC (or none)."),
        };
    }

    private static IPreTokenizer ReadPreTokenizer(JsonElement element, string path, string key) =>
        Text(element, "type", path, $"{key}.type") switch
        {
            "Sequence" => new SequencePreTokenizer([.. Property(element, "pretokenizers", path, $"{key}.pretokenizers")
                .EnumerateArray().Select((p, i) => ReadPreTokenizer(p, path, $"{key}.pretokenizers[{i}]"))]),
            "Split" => ReadSplit(element, path, key),
            "ByteLevel" => new ByteLevelPreTokenizer(Flag(element, "add_prefix_space"),
                !element.TryGetProperty("use_regex", out var r) || r.ValueKind != JsonValueKind.False),
            var other => throw new TokenizerFormatException(
                $"{path}: key '{key}.type' is '{other}'; R1Actors implements Sequence, Split and ByteLevel."),
        };

    private static RegexSplitPreTokenizer ReadSplit(JsonElement element, string path, string key)
    {
        Require(Text(element, "behavior", path, $"{key}.behavior") == "Isolated", path, $"{key}.behavior", "\"Isolated\"");
        Require(!Flag(element, "invert"), path, $"{key}.invert", "false");
        var pattern = Property(element, "pattern", path, $"{key}.pattern");
        var regex = pattern.TryGetProperty("Regex", out var r) ? r.GetString()
            : pattern.TryGetProperty("String", out var s) ? Regex.Escape(s.GetString() ?? "")
            : throw new TokenizerFormatException($"{path}: key '{key}.pattern' needs 'Regex' or 'String'.");
        try
        {
            return new RegexSplitPreTokenizer(new Regex(regex!, RegexOptions.CultureInvariant | RegexOptions.Compiled));
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"{path}: key '{key}.pattern.Regex' is not a regex R1Actors can run ({e.Message}).", e);
        }
    }

    private static void CheckDecoder(JsonElement root, string path)
    {
        var decoder = Property(root, "decoder", path, "decoder");
        Require(Text(decoder, "type", path, "decoder.type") == "ByteLevel", path, "decoder.type", "\"ByteLevel\"");
    }

    private static JsonElement Property(JsonElement element, string name, string path, string key) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new TokenizerFormatException($"{path}: missing key '{key}'.");

    private static string Text(JsonElement element, string name, string path, string key) =>
        Property(element, name, path, key) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw new TokenizerFormatException($"{path}: key '{key}' must be a string.");

    private static bool Flag(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static void Require(bool ok, string path, string key, string expected)
    {
        if (!ok)
            throw new TokenizerFormatException($"{path}: key '{key}' must be {expected}.");
    }
}
