using R1Actors.Configuration;
using R1Actors.Rewards;
using R1Actors.Rewards.Code;

namespace R1Actors.Daemon;

/// <summary>
/// Before anything is sampled: every task kind in the configured data (training and held-out, as their loaders
/// noted them, so no prompt is read twice) must have a reward function, and when any task is code the sandbox
/// starts now. Either mistake would otherwise score every such rollout 0, with a reason, deep into the run.
/// </summary>
public static class TaskKindCheck
{
    private const string TaskKey = "r1.data.fields.task";
    private const string CodeKey = "r1.rewards.code";

    /// <param name="kinds">Each dataset's task kinds with where each first appears (<c>IPromptDataset.KindsPresent</c>).</param>
    /// <returns>The sandbox's isolation level when code tasks are present, else null.</returns>
    /// <exception cref="SettingsException">A kind no reward function handles, or code tasks the sandbox cannot run.</exception>
    public static IsolationLevel? Run(RewardDispatcher rewards, ConfigSource source, params IEnumerable<IReadOnlyDictionary<string, string>> kinds)
    {
        var present = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, where) in kinds.SelectMany(k => k))
            present.TryAdd(kind, where);
        var known = rewards.Kinds;
        foreach (var (kind, where) in present.Where(k => !known.Contains(k.Key)))
        {
            throw new SettingsException(TaskKey, where,
                $"task kind '{kind}' has no reward function (known: {string.Join(", ", known)}); correct the record's task field, or r1.data.default-task for records that name none");
        }
        if (!present.TryGetValue(TaskKinds.Code, out var firstCode))
            return null;
        try
        {
            return rewards.StartSandbox();
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException(CodeKey, source.OriginOf(CodeKey),
                $"the data has code tasks (the first at {firstCode}) and the sandbox that runs them cannot start: {e.Message}");
        }
    }
}
