using Microsoft.Extensions.Time.Testing;
using R1Actors.Pipeline.Metrics;

namespace R1Actors.Pipeline.Tests.Metrics;

public sealed class MetricsTests : PipelineTestKit
{
    [Fact]
    public void A_busy_clock_counts_a_batch_still_in_progress_up_to_the_moment_it_is_read()
    {
        var time = new FakeTimeProvider();
        var clock = new BusyClock(time);

        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(30));
        clock.Stop();
        time.Advance(TimeSpan.FromMilliseconds(50));
        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal(TimeSpan.FromMilliseconds(50), clock.BusyAt(time.GetTimestamp()));
    }

    [Fact]
    public void Busy_fractions_and_rates_cover_the_time_since_the_previous_step()
    {
        var time = new FakeTimeProvider();
        var clocks = new Dictionary<string, BusyClock> { ["cuda:0"] = new(time), ["cuda:1"] = new(time) };
        var counters = new StageCounters();
        var collector = new MetricsCollector(time, clocks, counters, new LatencyWindow(), () => 12, groupSize: 4);
        clocks["cuda:0"].Start();
        time.Advance(TimeSpan.FromMilliseconds(900));
        clocks["cuda:0"].Stop();
        clocks["cuda:1"].Start();
        time.Advance(TimeSpan.FromMilliseconds(100));
        counters.PromptsAdmitted(12);
        counters.SamplingStarted(6);
        counters.Sampled(4, 16);
        counters.Verified();

        var metrics = collector.Collect(new StepFacts(1, 1, 32, new Dictionary<long, long> { [1] = 24, [0] = 8 }, 4, 4));

        Assert.Equal(0.9, metrics.SamplerBusy["cuda:0"], 6);
        Assert.Equal(0.1, metrics.SamplerBusy["cuda:1"], 6);
        Assert.Equal(0.1, metrics.SamplerBusyMin, 6);
        Assert.Equal(32, metrics.RolloutsPerSecond, 6);
        Assert.Equal(new QueueDepths(6, 2, 15, 1, 0), metrics.Queues);
        Assert.Equal(12, metrics.InFlightPrompts);
        Assert.Equal(["0", "1"], metrics.Staleness.Keys);
        time.Advance(TimeSpan.FromMilliseconds(500));
        var next = collector.Collect(new StepFacts(2, 2, 32, new Dictionary<long, long>(), 0, 4));
        Assert.Equal(1.0, next.SamplerBusy["cuda:1"], 6);
        Assert.Equal(0.0, next.SamplerBusy["cuda:0"], 6);
    }

    [Fact]
    public void Latency_percentiles_are_nearest_rank_and_each_window_starts_empty()
    {
        var window = new LatencyWindow();
        for (var i = 1; i <= 100; i++)
            window.Record(TimeSpan.FromMilliseconds(i));

        var p = window.TakePercentiles();

        Assert.Equal(new LatencyPercentiles(50, 90, 99, 100), p);
        Assert.Equal(new LatencyPercentiles(0, 0, 0, 0), window.TakePercentiles());
    }

    [Fact]
    public async Task Each_step_is_logged_as_one_event_with_the_stable_property_names()
    {
        var log = new CapturedLog();

        await Harness.RunAsync(Sys, Harness.Settings(maxSteps: 3), Harness.Ports(), log: log.Logger);

        var events = log.Events.Where(e => e.MessageTemplate.Text.StartsWith("Pipeline step", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, events.Length);
        string[] names =
        [
            "Step", "PolicyVersion", "StepSeconds", "RolloutsPerSecond", "SamplerBusyMin", "SamplerBusy", "Queues", "InFlightPrompts",
            "VerifierLatencyP50Ms", "VerifierLatencyP90Ms", "VerifierLatencyP99Ms", "VerifierFaults", "Staleness",
            "DroppedRollouts", "DroppedRolloutsTotal", "RolloutsTrained",
        ];
        Assert.All(events, e => Assert.Equal(names.Order(), e.Properties.Keys.Order()));
        Assert.Equal(["1", "2", "3"], events.Select(e => e.Properties["Step"].ToString()));
    }
}
