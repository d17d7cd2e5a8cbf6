namespace R1Actors.Pipeline.Data;

/// <summary>
/// A generator seen as a dataset: problem <c>i</c> is a pure function of (seed, split, i), so it can be asked
/// for in any order and resumed anywhere. The training and held-out splits draw from separate seed streams and
/// each keeps only problems on its own side of the <see cref="HeldOutPartition"/> (a content hash), so the two
/// can never share a problem however many are drawn.
/// </summary>
public abstract class GeneratedDataset : IPromptDataset
{
    // With fraction f, a held-out problem takes about 1/f draws; this bound is only reached by a
    // generator whose whole problem space lies on one side, which the constructor cannot see.
    private const int MaxDraws = 1_000_000;

    private readonly ulong _seed;
    private readonly HeldOutPartition _partition;
    private readonly DataSplit _split;

    /// <param name="taskKind">The kind of every problem the generator makes.</param>
    protected GeneratedDataset(string name, string taskKind, int count, ulong seed, HeldOutPartition partition, DataSplit split)
    {
        if (split == DataSplit.HeldOut && count > 0 && partition.HeldOutFraction <= 0)
            throw new ArgumentException($"{name}: a held-out split needs a held-out fraction above 0", nameof(partition));
        Name = name;
        Count = count;
        _seed = Seeds.Mix(seed, split == DataSplit.Training ? 0x545241494EUL : 0x484F4C444F5554UL);
        _partition = partition;
        _split = split;
        Description = $"{name} generator ({(split == DataSplit.Training ? "training" : "held-out")}, {count} problems, seed {seed})";
        KindsPresent = new Dictionary<string, string>(StringComparer.Ordinal) { [taskKind] = $"the {name} generator (r1.data.source)" };
    }

    public string Name { get; }

    public string Description { get; }

    public int Count { get; }

    public IReadOnlyDictionary<string, string> KindsPresent { get; }

    public Prompt Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var id = $"{Name}-{(_split == DataSplit.Training ? "train" : "heldout")}-{index}";
        for (var draw = 0UL; draw < MaxDraws; draw++)
        {
            var random = new SplitMix64(Seeds.Mix(Seeds.Mix(_seed, (ulong)index), draw));
            var prompt = Generate(ref random, id);
            if (_partition.SideOf(prompt) == _split)
                return prompt;
        }
        throw new InvalidOperationException(
            $"{Name}: no problem on the {_split} side after {MaxDraws} draws; raise r1.data.held-out-fraction or widen the generator's ranges");
    }

    /// <summary>One problem drawn from <paramref name="random"/>.</summary>
    protected abstract Prompt Generate(ref SplitMix64 random, string id);
}
