using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1Actors.Policy.Tokenization;

/// <summary>
/// Character-level tokenizer of R1Actors' built-in tiny models: special tokens first (ids 0…S−1, matched
/// verbatim in the text), then one id per character (Unicode code point). Saved beside the model as
/// <c>tokenizer_char.json</c>: <c>{"type": "r1actors-char", "special_tokens": [...], "characters": [...],
/// "eos_token": ..., "pad_token": ..., "unk_token": ...}</c>. A character outside the alphabet encodes to
/// unk_token when the file names one, and is an error otherwise.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    public const string FileName = "tokenizer_char.json";
    private const string TypeName = "r1actors-char";
    private readonly string[] tokens;
    private readonly Dictionary<string, int> ids;
    private readonly AddedTokens specials;
    private readonly int? unkId;

    public CharTokenizer(IReadOnlyList<string> specialTokens, IEnumerable<string> characters, string? eosToken, string? padToken, string? unkToken)
    {
        tokens = [.. specialTokens, .. characters.Distinct(StringComparer.Ordinal)];
        ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
            if (!ids.TryAdd(tokens[i], i))
                throw new ArgumentException($"character tokenizer: '{tokens[i]}' is listed twice");
        if (tokens.Skip(specialTokens.Count).FirstOrDefault(c => c.EnumerateRunes().Count() != 1) is { } bad)
            throw new ArgumentException($"character tokenizer: '{bad}' is not a single character");
        specials = new AddedTokens(specialTokens.Select((t, i) => new AddedToken(i, t, Special: true, LeftStrip: false, RightStrip: false)));
        EosTokenId = Lookup(eosToken);
        PadTokenId = Lookup(padToken) ?? EosTokenId ?? 0;
        unkId = Lookup(unkToken);
    }

    public int VocabSize => tokens.Length;
    public int? EosTokenId { get; }
    public int PadTokenId { get; }

    public IReadOnlyList<int> Encode(string text)
    {
        var result = new List<int>(text.Length);
        foreach (var (special, piece) in specials.Split(text))
        {
            if (special is not null)
            {
                result.Add(special.Id);
                continue;
            }
            foreach (var rune in piece.EnumerateRunes())
                result.Add(ids.TryGetValue(rune.ToString(), out var id) ? id
                    : unkId ?? throw new ArgumentException($"character '{rune}' (U+{rune.Value:X4}) is not in the tiny model's alphabet"));
        }
        return result;
    }

    public string Decode(IEnumerable<int> tokenIds, bool skipSpecialTokens = false) =>
        string.Concat(tokenIds.Where(id => !(skipSpecialTokens && id < specials.All.Count)).Select(id => Token(id)));

    public byte[] TokenBytes(int id) => Encoding.UTF8.GetBytes(Token(id));

    public int? TokenToId(string token) => ids.TryGetValue(token, out var id) ? id : null;

    private string Token(int id) => id >= 0 && id < tokens.Length
        ? tokens[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside the character vocabulary (0..{tokens.Length - 1})");

    private int? Lookup(string? token) => token is null ? null
        : ids.TryGetValue(token, out var id) ? id : throw new ArgumentException($"character tokenizer: '{token}' is not one of its tokens");

    public void Save(string folder)
    {
        var json = new JsonObject
        {
            ["type"] = TypeName,
            ["special_tokens"] = new JsonArray([.. specials.All.Select(t => (JsonNode)t.Content)]),
            ["characters"] = new JsonArray([.. tokens.Skip(specials.All.Count).Select(c => (JsonNode)c)]),
            ["eos_token"] = EosTokenId is { } eos ? tokens[eos] : null,
            ["pad_token"] = tokens[PadTokenId],
            ["unk_token"] = unkId is { } unk ? tokens[unk] : null,
        };
        File.WriteAllText(Path.Combine(folder, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    public static CharTokenizer Load(string path)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new TokenizerFormatException($"{path}: must hold a JSON object.");
            if (json["type"]?.GetValue<string>() != TypeName)
                throw new TokenizerFormatException($"{path}: key 'type' must be \"{TypeName}\".");
            return new CharTokenizer(Strings(json, "special_tokens", path), Strings(json, "characters", path),
                Optional(json, "eos_token"), Optional(json, "pad_token"), Optional(json, "unk_token"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new TokenizerFormatException($"{path}: not a valid character tokenizer ({e.Message}).", e);
        }
    }

    private static string[] Strings(JsonObject json, string key, string path) =>
        json[key] is JsonArray array
            ? [.. array.Select(item => item!.GetValue<string>())]
            : throw new TokenizerFormatException($"{path}: key '{key}' must be an array of strings.");

    private static string? Optional(JsonObject json, string key) => json[key]?.GetValue<string>();
}
