using R1Actors.Simulation;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class WeightPublicationTests : PipelineTestKit
{
    [Fact]
    public async Task Every_sampler_applies_new_versions_only_between_batches_and_in_order()
    {
        var samplers = new RecordingSamplerFactory(costs: new SimulatedDeviceCosts(TimeSpan.FromMilliseconds(2), TimeSpan.Zero, TimeSpan.FromMilliseconds(1)));
        var settings = Harness.Settings(devices: 3, maxSteps: 6, maxStaleness: 1);

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers));

        var ports = samplers.Created.ToArray();
        Assert.Equal(3, ports.Length);
        Assert.All(ports.SelectMany(p => p.Batches), b => Assert.Equal(settings.Seed, b.RunSeed));
        Assert.All(ports, p =>
        {
            Assert.False(p.AppliedDuringGenerate);
            var applied = p.Applied.ToArray();
            Assert.Equal(applied.Order().Distinct(), applied);
            // The last publication can race the end of the run; every earlier one reached every sampler.
            Assert.InRange(p.PolicyVersion, outcome.Progress.PolicyVersion - 1, outcome.Progress.PolicyVersion);
        });
    }

    [Fact]
    public async Task At_k_0_every_batch_is_sampled_with_the_weights_of_the_step_that_trains_on_it()
    {
        var samplers = new RecordingSamplerFactory(costs: new SimulatedDeviceCosts(TimeSpan.FromMilliseconds(1), TimeSpan.Zero, TimeSpan.FromMilliseconds(1)));
        var settings = Harness.Settings(devices: 3, groupsPerStep: 6, promptsPerBatch: 2, maxSteps: 6, maxStaleness: 0);
        var learner = new RecordingLearner();

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers, learner: learner));

        Assert.Equal(0, outcome.DroppedRolloutsTotal);
        Assert.All(learner.Steps, b => Assert.All(b.Groups, g => Assert.All(g.Completions, c => Assert.Equal(b.PolicyVersion, c.Rollout.PolicyVersion))));
        Assert.All(steps, s => Assert.Equal(["0"], s.Pipeline.StalenessHistogram.Keys));
    }
}
