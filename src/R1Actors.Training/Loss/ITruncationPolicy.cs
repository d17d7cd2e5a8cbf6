namespace R1Actors.Training.Loss;

/// <summary>
/// What the learner does with a completion that hit the token limit (finish reason <c>length</c>): its
/// reward may be shaped before advantages are computed, and its tokens may be left out of the loss.
/// </summary>
public interface ITruncationPolicy
{
    /// <summary>Short name used in configuration and logs (<c>keep</c>, <c>mask</c>, <c>penalise</c>).</summary>
    string Name { get; }

    /// <summary>The reward the advantage estimator sees for this completion.</summary>
    double ShapeReward(double reward, bool truncated);

    /// <summary>Whether the completion's tokens take part in the loss.</summary>
    bool Trains(bool truncated);
}

/// <summary>Truncated completions are trained on like any other (the GRPO paper's behaviour).</summary>
public sealed class KeepTruncated : ITruncationPolicy
{
    public string Name => "keep";

    public double ShapeReward(double reward, bool truncated) => reward;

    public bool Trains(bool truncated) => true;
}

/// <summary>
/// DAPO's overlong filtering: truncated completions are left out of the loss (as if never sampled), so a
/// good reasoning chain that merely ran out of room is not punished. Their rewards still count in their
/// group's baseline.
/// </summary>
public sealed class MaskTruncated : ITruncationPolicy
{
    public string Name => "mask";

    public double ShapeReward(double reward, bool truncated) => reward;

    public bool Trains(bool truncated) => !truncated;
}

/// <summary>
/// Truncated completions are trained on with <c>penalty</c> subtracted from their reward, which teaches the
/// policy to finish within the limit. Example: penalty 1, reward 0 → the advantage sees −1.
/// </summary>
public sealed class PenaliseTruncated : ITruncationPolicy
{
    private readonly double _penalty;

    public PenaliseTruncated(double penalty)
    {
        if (!double.IsFinite(penalty) || penalty < 0)
            throw new ArgumentOutOfRangeException(nameof(penalty), penalty, "the truncation penalty must be a finite number ≥ 0");
        _penalty = penalty;
    }

    public string Name => "penalise";

    public double ShapeReward(double reward, bool truncated) => truncated ? reward - _penalty : reward;

    public bool Trains(bool truncated) => true;
}
