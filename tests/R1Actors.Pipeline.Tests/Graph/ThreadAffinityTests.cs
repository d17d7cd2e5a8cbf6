namespace R1Actors.Pipeline.Tests.Graph;

public sealed class ThreadAffinityTests : PipelineTestKit
{
    [Fact]
    public async Task Each_port_is_created_used_and_disposed_on_one_dedicated_thread_even_across_a_restart()
    {
        var samplers = new RecordingSamplerFactory(fails: (call, _) => call == 4);
        var learner = new RecordingLearner(fails: (attempt, _) => attempt == 2);
        var settings = Harness.Settings(devices: 2, maxSteps: 4, checkpointEvery: 2, maxStaleness: 3);

        await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers, learner: learner));

        var ports = samplers.Created.ToArray();
        Assert.Equal(3, ports.Length);
        Assert.All(ports, p => Assert.Single(p.Threads.Distinct()));
        var samplerThreads = ports.GroupBy(p => p.Device).Select(d => d.SelectMany(p => p.Threads).Distinct().Single()).ToArray();
        var learnerThread = Assert.Single(learner.Threads.Distinct());
        Assert.Equal(3, samplerThreads.Append(learnerThread).Distinct().Count());
    }
}
