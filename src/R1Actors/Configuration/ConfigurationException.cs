namespace R1Actors.Configuration;

/// <summary>
/// A configuration mistake found at start-up: which key, where it was set (file and line, or
/// <c>--set</c>), what was expected and what was found. The command line turns it into exit code 2.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string key, string origin, string problem)
        : base($"Configuration error at {origin}, key '{key}': {problem}")
    {
        Key = key;
        Origin = origin;
        Problem = problem;
    }

    public ConfigurationException(string message, Exception inner) : base(message, inner)
    {
        Key = "";
        Origin = "";
        Problem = message;
    }

    public string Key { get; }

    public string Origin { get; }

    public string Problem { get; }
}
