using System.Text.Json.Nodes;
using R1Actors.Policy.Tokenization;

namespace R1Actors.Policy.Tests.Tokenization;

// A tokenizer.json R1Actors cannot follow exactly must be refused with the file and key, never tokenize differently.
public class BadTokenizerJsonTests
{
    private static JsonObject Minimal() => JsonNode.Parse("""
        {
          "added_tokens": [{"id": 5, "content": "<|end|>", "special": true}],
          "normalizer": null,
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
          "decoder": {"type": "ByteLevel"},
          "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4}, "merges": ["a b", "Ġ ab"]}
        }
        """)!.AsObject();

    private static string Write(TempFolder folder, JsonObject json)
    {
        var path = folder.File("tokenizer.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public void Minimal_gpt2_style_file_tokenizes_with_its_merges()
    {
        using var folder = new TempFolder();
        var tokenizer = ByteLevelBpeTokenizer.Load(Write(folder, Minimal()));
        Assert.Equal([2, 4, 5], tokenizer.Encode("ab ab<|end|>"));
        Assert.Equal("ab ab", tokenizer.Decode([2, 4, 5], skipSpecialTokens: true));
    }

    [Theory]
    [InlineData("model.type", "WordPiece", "'model.type'")]
    [InlineData("model.byte_fallback", "true", "'model.byte_fallback'")]
    [InlineData("normalizer", "{\"type\": \"NFKC\"}", "'normalizer.type'")]
    [InlineData("pre_tokenizer", "{\"type\": \"Metaspace\"}", "'pre_tokenizer.type'")]
    [InlineData("pre_tokenizer", "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\"}", "'pre_tokenizer.pattern.Regex'")]
    [InlineData("decoder", "{\"type\": \"WordPiece\"}", "'decoder.type'")]
    [InlineData("model.merges", "[\"a c\"]", "'model.merges[0]'")]
    [InlineData("model.vocab", "[1, 2]", "'model.vocab'")]
    [InlineData("added_tokens", "[{\"id\": \"x\", \"content\": \"<x>\"}]", "'added_tokens[0].id'")]
    public void Unsupported_or_broken_key_is_named(string key, string json, string expected)
    {
        using var folder = new TempFolder();
        var root = Minimal();
        var parts = key.Split('.');
        var parent = parts.Length == 1 ? root : root[parts[0]]!.AsObject();
        parent[parts[^1]] = json.StartsWith('{') || json.StartsWith('[') || json == "true" ? JsonNode.Parse(json) : json;
        var path = Write(folder, root);
        var error = Assert.Throws<TokenizerFormatException>(() => ByteLevelBpeTokenizer.Load(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Missing_model_is_named()
    {
        using var folder = new TempFolder();
        var root = Minimal();
        root.Remove("model");
        var error = Assert.Throws<TokenizerFormatException>(() => ByteLevelBpeTokenizer.Load(Write(folder, root)));
        Assert.Contains("missing key 'model'", error.Message);
    }

    [Fact]
    public void Truncated_json_is_named()
    {
        using var folder = new TempFolder();
        var path = folder.File("tokenizer.json");
        File.WriteAllText(path, Minimal().ToJsonString()[..60]);
        var error = Assert.Throws<TokenizerFormatException>(() => ByteLevelBpeTokenizer.Load(path));
        Assert.Contains("not valid JSON", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Config_naming_an_unknown_eos_token_is_named()
    {
        using var folder = new TempFolder();
        var path = Write(folder, Minimal());
        File.WriteAllText(folder.File("tokenizer_config.json"), "{\"eos_token\": \"<|nope|>\"}");
        var error = Assert.Throws<TokenizerFormatException>(() => ByteLevelBpeTokenizer.Load(path));
        Assert.Contains("eos_token", error.Message);
        Assert.Contains("<|nope|>", error.Message);
    }
}
