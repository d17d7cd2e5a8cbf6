using System.Text;
using R1Actors.Policy.Tokenization.Unicode;

namespace R1Actors.Policy.Tokenization;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer (Qwen2/2.5/3, Llama 3, GPT-2 family) read from tokenizer.json:
/// added tokens are split off first, the rest is NFC-normalised (when the file says so), pre-tokenized by
/// its regex, written in the byte-level alphabet and merged by BPE rank. Decoding maps tokens back to bytes
/// and reads them as UTF-8, replacing invalid sequences with U+FFFD as Hugging Face does.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITokenizer
{
    private readonly BpeModel model;
    private readonly AddedTokens addedTokens;
    private readonly IPreTokenizer preTokenizer;
    private readonly bool normalizeNfc;
    private readonly string[] idToToken;
    private readonly Dictionary<string, int> tokenToId;
    private readonly HashSet<int> specialIds;
    private readonly HashSet<int> addedIds;

    internal ByteLevelBpeTokenizer(BpeModel model, IReadOnlyDictionary<string, int> vocab, AddedTokens addedTokens,
        IPreTokenizer preTokenizer, bool normalizeNfc, int? eosTokenId, int padTokenId)
    {
        this.model = model;
        this.addedTokens = addedTokens;
        this.preTokenizer = preTokenizer;
        this.normalizeNfc = normalizeNfc;
        tokenToId = new Dictionary<string, int>(vocab);
        foreach (var token in addedTokens.All)
            tokenToId[token.Content] = token.Id;
        idToToken = new string[tokenToId.Values.Max() + 1];
        foreach (var (token, id) in tokenToId)
            idToToken[id] = token;
        specialIds = [.. addedTokens.All.Where(t => t.Special).Select(t => t.Id)];
        addedIds = [.. addedTokens.All.Select(t => t.Id)];
        EosTokenId = eosTokenId;
        PadTokenId = padTokenId;
    }

    public int VocabSize => idToToken.Length;
    public int? EosTokenId { get; }
    public int PadTokenId { get; }

    /// <summary>Reads tokenizer.json (and tokenizer_config.json beside it, for EOS and padding).</summary>
    public static ByteLevelBpeTokenizer Load(string tokenizerJsonPath) => TokenizerJson.Load(tokenizerJsonPath);

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach (var (token, piece) in addedTokens.Split(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }
            foreach (var word in preTokenizer.Split(normalizeNfc ? UnicodeNfc.Normalize(piece) : piece))
                ids.AddRange(model.Encode(word));
        }
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
            if (!(skipSpecialTokens && specialIds.Contains(id)))
                bytes.AddRange(TokenBytes(id));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    public byte[] TokenBytes(int id)
    {
        if (id < 0 || id >= idToToken.Length || idToToken[id] is not { } token)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside the tokenizer's vocabulary (0..{idToToken.Length - 1})");
        return addedIds.Contains(id) ? Encoding.UTF8.GetBytes(token) : ByteLevel.Decode(token);
    }

    public int? TokenToId(string token) => tokenToId.TryGetValue(token, out var id) ? id : null;

    /// <summary>The token as written in the vocabulary (byte-level alphabet), for diagnostics.</summary>
    public string IdToToken(int id) => idToToken[id];
}
