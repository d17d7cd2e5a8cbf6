using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class BackpressureTests : PipelineTestKit
{
    [Fact]
    public async Task A_stalled_learner_keeps_the_source_from_running_ahead_of_the_in_flight_budget()
    {
        var gate = new SemaphoreSlim(0);
        var learner = new RecordingLearner { Gate = gate };
        var samplers = new RecordingSamplerFactory();
        var settings = Harness.Settings(devices: 2, groupSize: 4, groupsPerStep: 4, promptsPerBatch: 2, maxStaleness: 1, maxSteps: 3);
        var dataset = new CountingDataset(Harness.Arithmetic().Dataset);
        var prompts = new PromptStream(dataset, shuffle: true, dataSeed: 7, maxEpochs: 0);
        var run = Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers, learner: learner), prompts);

        while (learner.Attempts.IsEmpty)
            await Task.Delay(10);
        var settled = await Settle(() => dataset.Reads);

        // (k+1)·B prompts admitted, plus the one the admission stage holds while it waits for a slot and the
        // one the source has read ahead.
        Assert.InRange(settled, settings.InFlightPrompts, settings.InFlightPrompts + 2);
        Assert.Equal(settings.InFlightPrompts, samplers.Created.Sum(p => p.Batches.Sum(b => b.Prompts.Count)));
        Assert.Single(learner.Attempts);
        gate.Release(100);
        var (outcome, steps) = await run;
        Assert.Equal(3, outcome.Progress.Step);
        Assert.All(steps, s => Assert.InRange(s.Pipeline.InFlightPrompts, 0, settings.InFlightPrompts));
        Assert.InRange(dataset.Reads, 3 * settings.GroupsPerStep, (3 + settings.MaxStaleness + 1) * settings.GroupsPerStep + 2);
    }

    [Fact]
    public async Task A_slow_learner_sets_the_pace_and_every_queue_stays_within_its_bound()
    {
        var learner = new RecordingLearner(cost: () => TimeSpan.FromMilliseconds(40));
        var settings = Harness.Settings(devices: 2, groupSize: 4, groupsPerStep: 4, promptsPerBatch: 1, maxStaleness: 2, maxSteps: 8);
        var prompts = Harness.Arithmetic();

        var (_, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(learner: learner), prompts);

        Assert.All(steps, s =>
        {
            var q = s.Pipeline.Queues;
            Assert.InRange(s.Pipeline.InFlightPrompts, 0, settings.InFlightPrompts);
            Assert.InRange(q.PromptsAwaitingSampler + q.PromptsSampling, 0, settings.InFlightPrompts);
            Assert.InRange(q.RolloutsAwaitingVerifier + q.RolloutsAwaitingGroup, 0, settings.InFlightPrompts * settings.GroupSize);
            Assert.InRange(q.GroupsAwaitingLearner, 0, settings.InFlightPrompts);
        });
        // The samplers are free and fast, so they wait on the learner: the budget is full at every step.
        Assert.All(steps.Skip(1), s => Assert.True(s.Pipeline.InFlightPrompts >= settings.InFlightPrompts - settings.GroupsPerStep));
        Assert.True(steps.Skip(2).Average(s => s.Pipeline.SamplerBusyMin) < 0.5);
    }

    /// <summary>Waits until the value has stopped changing for a while, and returns it.</summary>
    private static async Task<long> Settle(Func<long> value)
    {
        var last = value();
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow - stableSince < TimeSpan.FromMilliseconds(300))
        {
            await Task.Delay(20);
            var now = value();
            if (now != last)
                (last, stableSince) = (now, DateTime.UtcNow);
        }
        return last;
    }
}
