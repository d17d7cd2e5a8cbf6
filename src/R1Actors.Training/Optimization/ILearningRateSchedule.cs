namespace R1Actors.Training.Optimization;

/// <summary>The learning rate for an optimizer step, as a pure function of the number of steps already applied.</summary>
public interface ILearningRateSchedule
{
    /// <summary>Short name used in configuration and logs (<c>constant</c>, <c>cosine</c>).</summary>
    string Name { get; }

    /// <summary>The rate for the step that follows <paramref name="completedSteps"/> applied steps (0 for the first).</summary>
    double LearningRate(long completedSteps);
}

/// <summary>
/// Linear warm-up shared by the schedules: step s (0-based) of W warm-up steps runs at peak · (s + 1) / W,
/// so the first step already moves the weights and step W − 1 reaches the peak.
/// Example: peak 3e-4, W = 20 → 1.5e-5, 3e-5, …, 3e-4.
/// </summary>
public abstract class WarmupSchedule : ILearningRateSchedule
{
    protected WarmupSchedule(double peak, long warmupSteps)
    {
        if (!double.IsFinite(peak) || peak <= 0)
            throw new ArgumentOutOfRangeException(nameof(peak), peak, "r1.training.optimizer.lr must be a positive number");
        if (warmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "r1.training.schedule.warmup-steps must be ≥ 0");
        Peak = peak;
        WarmupSteps = warmupSteps;
    }

    public abstract string Name { get; }

    public double Peak { get; }

    public long WarmupSteps { get; }

    public double LearningRate(long completedSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        return completedSteps < WarmupSteps
            ? Peak * (completedSteps + 1) / WarmupSteps
            : AfterWarmup(completedSteps - WarmupSteps);
    }

    /// <summary>The rate <paramref name="stepsSinceWarmup"/> steps after the warm-up ended.</summary>
    protected abstract double AfterWarmup(long stepsSinceWarmup);
}

/// <summary>Warm-up, then the peak rate for ever: what a daemon that trains for an open-ended time wants.</summary>
public sealed class ConstantSchedule(double peak, long warmupSteps) : WarmupSchedule(peak, warmupSteps)
{
    public override string Name => "constant";

    protected override double AfterWarmup(long stepsSinceWarmup) => Peak;
}

/// <summary>
/// Warm-up, then a half cosine from the peak down to peak · minRatio over <c>decaySteps</c> steps, then flat
/// at the floor. Example: peak 1, 10 decay steps, floor 0 → halfway (step 5 after warm-up) runs at 0.5.
/// </summary>
public sealed class CosineSchedule : WarmupSchedule
{
    private readonly long _decaySteps;
    private readonly double _minRatio;

    public CosineSchedule(double peak, long warmupSteps, long decaySteps, double minRatio)
        : base(peak, warmupSteps)
    {
        if (decaySteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps,
                "the cosine schedule needs r1.training.schedule.total-steps greater than warmup-steps");
        if (minRatio is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(minRatio), minRatio, "r1.training.schedule.min-lr-ratio must be in [0, 1]");
        _decaySteps = decaySteps;
        _minRatio = minRatio;
    }

    public override string Name => "cosine";

    protected override double AfterWarmup(long stepsSinceWarmup)
    {
        var progress = Math.Min(1.0, (double)stepsSinceWarmup / _decaySteps);
        var cosine = 0.5 * (1.0 + Math.Cos(Math.PI * progress));
        return Peak * (_minRatio + (1.0 - _minRatio) * cosine);
    }
}
