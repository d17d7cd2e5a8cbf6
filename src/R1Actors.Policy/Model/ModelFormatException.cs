namespace R1Actors.Policy.Model;

/// <summary>
/// A model folder, config or weight file that R1Actors cannot use as it is. The message names the file and
/// the key or tensor that was wrong, and what was expected.
/// </summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string message) : base(message) { }

    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}
