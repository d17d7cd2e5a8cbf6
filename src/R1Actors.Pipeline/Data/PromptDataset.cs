using R1Actors.Pipeline.Contracts;

namespace R1Actors.Pipeline.Data;

/// <summary>A fixed, indexable set of prompts: one epoch of a dataset or of a generator.</summary>
public interface IPromptDataset
{
    /// <summary>What the prompts are, for logs (<c>countdown (training)</c>, <c>2 files, 7,473 prompts</c>).</summary>
    string Description { get; }

    int Count { get; }

    /// <summary>The prompt at <paramref name="index"/>; the same prompt every time it is asked for.</summary>
    Prompt Get(int index);
}

/// <summary>Which side of the held-out split a dataset serves.</summary>
public enum DataSplit
{
    Training,
    HeldOut,
}

/// <summary>Prompts loaded from files, kept in memory (prompt sets for RL are thousands to millions of rows).</summary>
public sealed class InMemoryPromptDataset(string description, IReadOnlyList<Prompt> prompts) : IPromptDataset
{
    public string Description { get; } = description;

    public int Count => prompts.Count;

    public Prompt Get(int index) => prompts[index];
}
