namespace R1Actors.Pipeline.Data;

/// <summary>A fixed, indexable set of prompts: one epoch of a dataset or of a generator.</summary>
public interface IPromptDataset
{
    /// <summary>What the prompts are, for logs (<c>countdown (training)</c>, <c>2 files, 7,473 prompts</c>).</summary>
    string Description { get; }

    int Count { get; }

    /// <summary>The prompt at <paramref name="index"/>; the same prompt every time it is asked for.</summary>
    Prompt Get(int index);

    /// <summary>
    /// Every task kind in the data this dataset was read or split from, each with where it first appears
    /// (<c>data/train.jsonl line 1500</c>, or the generator): known without asking for every prompt again.
    /// </summary>
    IReadOnlyDictionary<string, string> KindsPresent { get; }
}

/// <summary>Which side of the held-out split a dataset serves.</summary>
public enum DataSplit
{
    Training,
    HeldOut,
}

/// <summary>Prompts loaded from files, kept in memory (prompt sets for RL are thousands to millions of rows).</summary>
/// <param name="taskKinds">Where each task kind first appears, as the reader saw it; null takes each kind's first prompt id.</param>
public sealed class InMemoryPromptDataset(string description, IReadOnlyList<Prompt> prompts, IReadOnlyDictionary<string, string>? taskKinds = null)
    : IPromptDataset
{
    public string Description { get; } = description;

    public int Count => prompts.Count;

    public IReadOnlyDictionary<string, string> KindsPresent { get; } = taskKinds ?? FirstOfEachKind(prompts);

    public Prompt Get(int index) => prompts[index];

    private static Dictionary<string, string> FirstOfEachKind(IReadOnlyList<Prompt> prompts)
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prompt in prompts)
            kinds.TryAdd(prompt.Task.Kind, $"prompt {prompt.Id}");
        return kinds;
    }
}
