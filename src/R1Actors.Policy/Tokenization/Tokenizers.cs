namespace R1Actors.Policy.Tokenization;

/// <summary>Finds a model folder's tokenizer: Hugging Face's tokenizer.json, or R1Actors' tokenizer_char.json.</summary>
public static class Tokenizers
{
    public static ITokenizer Load(string folder)
    {
        var huggingFace = Path.Combine(folder, "tokenizer.json");
        var characters = Path.Combine(folder, CharTokenizer.FileName);
        if (File.Exists(huggingFace))
            return ByteLevelBpeTokenizer.Load(huggingFace);
        if (File.Exists(characters))
            return CharTokenizer.Load(characters);
        throw new TokenizerFormatException($"{folder}: no tokenizer.json or {CharTokenizer.FileName}.");
    }

    /// <summary>The ids that end a completion: the tokenizer's EOS plus the model config's eos_token_id(s).</summary>
    public static IReadOnlyList<int> StopTokenIds(ITokenizer tokenizer, IEnumerable<int> configEosIds) =>
        [.. configEosIds.Concat(tokenizer.EosTokenId is { } eos ? [eos] : []).Distinct()];
}
