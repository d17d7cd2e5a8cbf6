using Akka.Configuration.Hocon;
using R1Actors.Configuration;

namespace R1Actors.Daemon;

/// <summary>
/// The settings a sampler node must share with the learner node, or its samples would not be the policy's: the model
/// (but not where its folder is), the tokenizer and prompt template, the sampling options (but not how a node batches),
/// and LoRA. Each leaf key with its value, so the learner can name every difference when it refuses a node.
/// </summary>
public static class ClusterCompatibility
{
    private static readonly string[] Shared = ["r1.model", "r1.tokenizer", "r1.sampling", "r1.training.lora"];

    private static readonly HashSet<string> Local = new(StringComparer.Ordinal)
    {
        "r1.model.path", "r1.sampling.batching", "r1.sampling.slots", "r1.sampling.max-prompt-tokens",
    };

    public static IReadOnlyDictionary<string, string> Of(ConfigSource source)
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in Shared)
        {
            if (source.Merged.HasPath(section))
                Collect(source.Merged.GetValue(section), section, leaves);
        }
        return leaves;
    }

    private static void Collect(HoconValue value, string key, SortedDictionary<string, string> leaves)
    {
        if (value.IsObject())
        {
            foreach (var (name, child) in value.GetObject().Items)
                Collect(child, $"{key}.{name}", leaves);
        }
        else if (!Local.Contains(key))
            leaves[key] = value.ToString();
    }
}
