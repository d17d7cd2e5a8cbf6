namespace R1Actors.Core;

/// <summary>
/// A configuration or data mistake: which key, where it was set or found (a file and line, <c>--set</c>, a
/// data file), what was expected and what was found. Whenever it is found — while the configuration binds, or
/// after the daemon started (a missing data file, a checkpoint that does not match) — every command turns it
/// into exit code 2 and one line, without a stack trace: nothing is wrong with the run that a restart fixes.
/// </summary>
public sealed class SettingsException : Exception
{
    /// <param name="key">The configuration key (<c>r1.data.files</c>).</param>
    /// <param name="origin">Where it was set or found: <c>hocon/x.conf:12</c>, <c>--set</c>, a data file and line; empty when not known.</param>
    /// <param name="problem">What was found and what is expected, with the remedy.</param>
    public SettingsException(string key, string origin, string problem)
        : base(origin.Length > 0 ? $"Configuration error at {origin}, key '{key}': {problem}" : $"Configuration error, key '{key}': {problem}")
    {
        Key = key;
        Origin = origin;
        Problem = problem;
    }

    /// <summary>A key whose origin is not known here: the message says where to set it.</summary>
    public SettingsException(string key, string problem)
        : this(key, "", $"{problem} (set it in the run's .conf file or with --set {key}=...)")
    {
    }

    public SettingsException(string message, Exception inner) : base(message, inner)
    {
        Key = "";
        Origin = "";
        Problem = message;
    }

    public string Key { get; }

    public string Origin { get; }

    public string Problem { get; }
}
