using System.Reflection;

namespace R1Actors.Rewards.Custom;

/// <summary>
/// A task kind written in C# outside R1Actors, for speed (no process per call): a public class with a public
/// parameterless constructor in an assembly named by <c>r1.rewards.assemblies</c>. It is called on the
/// verifier threads, concurrently: keep it thread-safe, never throw for a bad completion (score 0 with a
/// reason), and never block for long. Its score is the answer component (weight 1, no format component).
/// </summary>
/// <example>
/// <code>
/// public sealed class PalindromeReward : ICustomReward
/// {
///     public string Kind => "palindrome";
///     public ValueTask&lt;RewardOutcome&gt; ScoreAsync(TaskSpec task, string completion, CancellationToken _) => …;
/// }
/// </code>
/// </example>
public interface ICustomReward : IRewardFunction
{
    /// <summary>The task kind whose rows it scores (must not be a built-in kind).</summary>
    string Kind { get; }
}

/// <summary>Loads the <see cref="ICustomReward"/>s of the assemblies named in configuration.</summary>
public static class CustomRewardAssemblies
{
    /// <summary>One instance of every public <see cref="ICustomReward"/> class in each assembly, by kind.</summary>
    /// <exception cref="SettingsException">A file is missing or not an assembly, holds no reward, or a kind is taken; the message names the entry of <c>r1.rewards.assemblies</c>.</exception>
    public static IReadOnlyDictionary<string, ICustomReward> Load(IReadOnlyList<string> paths, IReadOnlyCollection<string> takenKinds)
    {
        var rewards = new Dictionary<string, ICustomReward>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++)
        {
            var key = $"r1.rewards.assemblies[{i}]";
            foreach (var reward in Instances(LoadAssembly(paths[i], key), key))
            {
                if (takenKinds.Contains(reward.Kind) || rewards.ContainsKey(reward.Kind))
                    throw new SettingsException(key, $"{reward.GetType().FullName} scores kind '{reward.Kind}', which is already taken; give it a kind of its own");
                rewards[reward.Kind] = reward;
            }
        }
        return rewards;
    }

    private static Assembly LoadAssembly(string path, string key)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SettingsException(key, $"'{path}' does not exist (looked for {full})");
        try
        {
            return System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException e)
        {
            throw new SettingsException(key, $"'{path}' is not a .NET assembly: {e.Message}");
        }
    }

    private static List<ICustomReward> Instances(Assembly assembly, string key)
    {
        Type[] types;
        try { types = assembly.GetExportedTypes(); }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or TypeLoadException)
        {
            throw new SettingsException(key, $"the types of {assembly.GetName().Name} cannot be loaded (build it against this R1Actors.Rewards): {e.Message}");
        }
        var rewards = new List<ICustomReward>();
        foreach (var type in types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICustomReward).IsAssignableFrom(t)))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
                throw new SettingsException(key, $"{type.FullName} needs a public parameterless constructor");
            try { rewards.Add((ICustomReward)Activator.CreateInstance(type)!); }
            catch (TargetInvocationException e)
            {
                throw new SettingsException(key, $"the constructor of {type.FullName} threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
            }
        }
        if (rewards.Count == 0) throw new SettingsException(key, $"{assembly.GetName().Name} has no public class implementing R1Actors.Rewards.Custom.ICustomReward");
        return rewards;
    }
}
