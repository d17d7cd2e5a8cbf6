using System.Text;
using System.Text.Json;

namespace R1Actors.Pipeline.Data;

/// <summary>
/// Splits prompts into training and held-out by a hash of their content (task kind, prompt text, task fields),
/// never by position: the same question always falls on the same side, whichever file, seed or order it comes
/// from, so a held-out question can never appear in the training stream.
/// </summary>
public sealed class HeldOutPartition(double heldOutFraction)
{
    public double HeldOutFraction { get; } = heldOutFraction;

    public DataSplit SideOf(Prompt prompt) =>
        Bucket(ContentKey(prompt)) < HeldOutFraction ? DataSplit.HeldOut : DataSplit.Training;

    /// <summary>A uniform number in [0, 1) derived from the key (FNV-1a, then a 64-bit finaliser).</summary>
    public static double Bucket(string key)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(key))
            hash = (hash ^ b) * 0x100000001B3UL;
        return (Seeds.Mix(hash, 0x48454C44) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The prompt's content as one canonical string; ids are left out so renamed copies still match.</summary>
    public static string ContentKey(Prompt prompt)
    {
        var text = new StringBuilder(prompt.Task.Kind).Append('\u241E');
        switch (prompt.Content)
        {
            case TextPrompt t:
                text.Append(t.Text);
                break;
            case ChatPrompt c:
                foreach (var m in c.Messages)
                    text.Append(m.Role).Append(':').Append(m.Content).Append('\u241E');
                break;
        }
        foreach (var field in prompt.Task.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
            text.Append('\u241E').Append(field.Key).Append('=').Append(JsonSerializer.Serialize(field.Value));
        return text.ToString();
    }
}

/// <summary>The prompts of an inner dataset that fall on one side of a <see cref="HeldOutPartition"/>.</summary>
public sealed class PartitionedDataset : IPromptDataset
{
    private readonly IPromptDataset _inner;
    private readonly int[] _indices;

    public PartitionedDataset(IPromptDataset inner, HeldOutPartition partition, DataSplit split)
    {
        _inner = inner;
        _indices = Enumerable.Range(0, inner.Count).Where(i => partition.SideOf(inner.Get(i)) == split).ToArray();
        Description = $"{inner.Description}, {(split == DataSplit.Training ? "training" : "held-out")} split";
    }

    public string Description { get; }

    public int Count => _indices.Length;

    /// <summary>The kinds of the whole inner dataset: the training and held-out splits together hold every one of them.</summary>
    public IReadOnlyDictionary<string, string> KindsPresent => _inner.KindsPresent;

    public Prompt Get(int index) => _inner.Get(_indices[index]);
}
