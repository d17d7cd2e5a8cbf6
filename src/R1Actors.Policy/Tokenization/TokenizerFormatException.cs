namespace R1Actors.Policy.Tokenization;

/// <summary>A tokenizer file R1Actors cannot use; the message names the file and the key, and what was expected.</summary>
public sealed class TokenizerFormatException : Exception
{
    public TokenizerFormatException(string message) : base(message) { }

    public TokenizerFormatException(string message, Exception inner) : base(message, inner) { }
}
