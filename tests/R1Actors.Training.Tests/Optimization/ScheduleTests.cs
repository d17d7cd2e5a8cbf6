using R1Actors.Training.Optimization;

namespace R1Actors.Training.Tests.Optimization;

public class ScheduleTests
{
    [Fact]
    public void Warm_up_rises_linearly_from_the_first_step_and_reaches_the_peak_at_its_last()
    {
        // The demo's known-good recipe: lr 3e-4 with 20 warm-up steps.
        var schedule = new ConstantSchedule(3e-4, 20);
        Assert.Equal(1.5e-5, schedule.LearningRate(0), 15);
        Assert.Equal(3e-5, schedule.LearningRate(1), 15);
        Assert.Equal(3e-4, schedule.LearningRate(19), 15);
        Assert.Equal(3e-4, schedule.LearningRate(20), 15);
        Assert.Equal(3e-4, schedule.LearningRate(100_000), 15);
    }

    [Fact]
    public void Without_warm_up_the_first_step_runs_at_the_peak()
    {
        Assert.Equal(1e-6, new ConstantSchedule(1e-6, 0).LearningRate(0), 15);
    }

    [Fact]
    public void Cosine_decays_from_the_peak_to_the_floor_after_warm_up()
    {
        var schedule = new CosineSchedule(peak: 1.0, warmupSteps: 2, decaySteps: 10, minRatio: 0.1);
        Assert.Equal(0.5, schedule.LearningRate(0), 12);
        Assert.Equal(1.0, schedule.LearningRate(2), 12);
        Assert.Equal(0.1 + 0.9 * 0.5, schedule.LearningRate(7), 12);        // halfway through the decay
        Assert.Equal(0.1, schedule.LearningRate(12), 12);
        Assert.Equal(0.1, schedule.LearningRate(500), 12);
    }

    [Fact]
    public void Cosine_needs_decay_steps()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(1e-6, 10, 0, 0));
        Assert.Contains("total-steps", error.Message);
    }

    [Fact]
    public void A_non_positive_peak_is_rejected_with_the_setting_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(0, 0));
        Assert.Contains("r1.training.optimizer.lr", error.Message);
    }
}
