namespace R1Actors.Policy.Tokenization;

/// <summary>Text ↔ token ids for a model. Special tokens written in the text (<c>&lt;|im_end|&gt;</c>) encode to their ids.</summary>
public interface ITokenizer
{
    /// <summary>Number of ids the tokenizer can produce (the model's vocab_size may be larger).</summary>
    int VocabSize { get; }

    /// <summary>The end-of-sequence token, if the tokenizer names one.</summary>
    int? EosTokenId { get; }

    /// <summary>The id to pad batches with (never attended to).</summary>
    int PadTokenId { get; }

    IReadOnlyList<int> Encode(string text);

    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The bytes of text a token stands for (UTF-8; a byte-level token may hold part of a character).</summary>
    byte[] TokenBytes(int id);

    /// <summary>The id of a token written exactly so (special tokens included), or null.</summary>
    int? TokenToId(string token);
}
