using R1Actors.Pipeline.Graph;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class PipelineRunTests : PipelineTestKit
{
    [Fact]
    public async Task Runs_max_steps_and_trains_each_prompt_once_with_whole_groups()
    {
        var settings = Harness.Settings(maxSteps: 6);
        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports());

        Assert.Equal(StopReason.MaxSteps, outcome.Reason);
        Assert.Equal(6, outcome.Progress.Step);
        Assert.Equal(6, outcome.Progress.PolicyVersion);
        Assert.Equal(6, steps.Count);
        Assert.All(steps, s => Assert.Equal(settings.GroupsPerStep, s.Groups.Count));
        Assert.All(steps.SelectMany(s => s.Groups), g =>
            Assert.Equal(Enumerable.Range(0, settings.GroupSize), g.Completions.Select(c => c.Rollout.SampleIndex)));
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(trained.Length, trained.Distinct().Count());
        Assert.Equal(6 * settings.GroupsPerStep * settings.GroupSize, outcome.RolloutsTrained);
    }
}
