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
    /// <param name="origin">Where it was set or found: <c>hocon/x.conf line 12</c>, <c>--set</c>, a data file and line.</param>
    /// <param name="problem">What was found and what is expected, with the remedy.</param>
    public SettingsException(string key, string origin, string problem)
        : this(key, origin, problem, inner: null)
    {
    }

    /// <summary>A key whose origin is not known where the problem is found: the message says where to set it.</summary>
    public SettingsException(string key, string problem)
        : base($"Configuration error, key '{key}': {problem} (set it in the run's .conf file or with --set {key}=...)")
    {
        Key = key;
        Origin = "";
        Problem = problem;
    }

    private SettingsException(string key, string origin, string problem, Exception? inner)
        : base($"Configuration error at {origin}, key '{key}': {problem}", inner)
    {
        Key = key;
        Origin = origin;
        Problem = problem;
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

    /// <summary>
    /// The same mistake, placed where its key was set (<c>hocon/x.conf line 12</c>, <c>--set</c>): code that finds a
    /// problem with a value (a data file that is missing) knows the key, the configuration knows where it came from.
    /// </summary>
    public SettingsException At(string origin) => new(Key, origin, Problem, this);
}
