namespace R1Actors.Pipeline.Settings;

/// <summary>A configuration value that cannot be used; the message names the key, what was found and what is expected.</summary>
public sealed class SettingsException(string key, string problem)
    : Exception($"{key}: {problem} (set it in the run's .conf file or with --set {key}=...)")
{
    public string Key { get; } = key;
}
