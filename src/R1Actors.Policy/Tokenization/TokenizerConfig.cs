using System.Text.Json;

namespace R1Actors.Policy.Tokenization;

/// <summary>The parts of Hugging Face's tokenizer_config.json R1Actors reads: special token names and the chat template.</summary>
internal static class TokenizerConfig
{
    /// <summary>EOS and PAD ids named by tokenizer_config.json (null when the file or key is absent).</summary>
    public static (int? Eos, int? Pad) SpecialTokenIds(string configPath, Func<string, int?> lookup)
    {
        if (!File.Exists(configPath))
            return (null, null);
        using var document = Parse(configPath);
        return (Id("eos_token"), Id("pad_token"));

        int? Id(string key)
        {
            var name = TokenName(document.RootElement, key);
            if (name is null)
                return null;
            return lookup(name) ?? throw new TokenizerFormatException($"{configPath}: key '{key}' names '{name}', which is not a token.");
        }
    }

    /// <summary>The chat template text, or null when the file has none.</summary>
    public static string? ChatTemplate(string configPath)
    {
        if (!File.Exists(configPath))
            return null;
        using var document = Parse(configPath);
        return document.RootElement.TryGetProperty("chat_template", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }

    // A special token is written either as its text or as {"content": text, …}.
    private static string? TokenName(JsonElement root, string key) =>
        !root.TryGetProperty(key, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var c) => c.GetString(),
            _ => null,
        };
}
