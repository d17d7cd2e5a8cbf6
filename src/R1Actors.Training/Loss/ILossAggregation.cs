namespace R1Actors.Training.Loss;

/// <summary>
/// How per-token losses are summed into the batch loss: loss = Σᵢ Σₜ wᵢ · ℓᵢₜ over the trained completions
/// of the whole step. The weight depends only on the lengths of the trained completions, so it is computed
/// once per step and every micro-batch adds its exact share: gradient accumulation over any split of the
/// batch gives the same gradient as one pass over all of it.
/// </summary>
public interface ILossAggregation
{
    /// <summary>Short name used in configuration and logs.</summary>
    string Name { get; }

    /// <summary>The weight of each token of completion i, given the token counts of all trained completions.</summary>
    double[] TokenWeights(IReadOnlyList<int> trainedLengths);
}

/// <summary>
/// GRPO paper: mean over tokens within each completion, then mean over completions,
/// wᵢ = 1 / (N · nᵢ). Example: lengths [2, 4] → weights [1/4, 1/8].
/// Every completion counts the same however long it is (long wrong answers are punished less per token).
/// </summary>
public sealed class SequenceMeanAggregation : ILossAggregation
{
    public string Name => "sequence-mean";

    public double[] TokenWeights(IReadOnlyList<int> trainedLengths)
    {
        var weights = new double[trainedLengths.Count];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = trainedLengths[i] == 0 ? 0.0 : 1.0 / ((double)weights.Length * trainedLengths[i]);
        return weights;
    }
}

/// <summary>
/// DAPO: mean over every trained token of the batch, wᵢ = 1 / Σⱼ nⱼ. Example: lengths [2, 4] → weights [1/6, 1/6].
/// Every token counts the same, so long completions weigh in proportion to their length.
/// </summary>
public sealed class TokenMeanAggregation : ILossAggregation
{
    public string Name => "token-mean";

    public double[] TokenWeights(IReadOnlyList<int> trainedLengths)
    {
        long total = 0;
        foreach (var length in trainedLengths)
            total += length;
        var weight = total == 0 ? 0.0 : 1.0 / total;
        return Enumerable.Repeat(weight, trainedLengths.Count).ToArray();
    }
}

/// <summary>
/// Dr. GRPO: the sum over tokens divided by a constant, wᵢ = 1 / (N · L), with L a fixed token count (the
/// completion length limit). Example: lengths [2, 4], L = 8 → weights [1/16, 1/16]. No length bias at all.
/// </summary>
public sealed class ConstantNormaliserAggregation : ILossAggregation
{
    private readonly int _tokensPerCompletion;

    public ConstantNormaliserAggregation(int tokensPerCompletion)
    {
        if (tokensPerCompletion <= 0)
            throw new ArgumentOutOfRangeException(nameof(tokensPerCompletion), tokensPerCompletion, "the constant normaliser must be a positive token count");
        _tokensPerCompletion = tokensPerCompletion;
    }

    public string Name => "constant";

    public double[] TokenWeights(IReadOnlyList<int> trainedLengths)
    {
        var weight = trainedLengths.Count == 0 ? 0.0 : 1.0 / ((double)trainedLengths.Count * _tokensPerCompletion);
        return Enumerable.Repeat(weight, trainedLengths.Count).ToArray();
    }
}
