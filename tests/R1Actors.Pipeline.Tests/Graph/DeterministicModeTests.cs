using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class DeterministicModeTests : PipelineTestKit
{
    private static PipelineSettings OnPolicy(int groupsPerStep, int promptsPerBatch, int verifiers, long maxSteps) =>
        Harness.Settings(devices: 1, groupSize: 2, groupsPerStep: groupsPerStep, promptsPerBatch: promptsPerBatch, maxStaleness: 0,
            verifiers: verifiers, maxSteps: maxSteps) with { Deterministic = true };

    [Fact]
    public async Task Sampler_batches_are_cut_by_admission_not_by_a_clock()
    {
        // Prompts trickle in 15 ms apart, so a batch-linger timer would close a batch after every prompt. Six
        // in-flight slots (B = 6 at k = 0) and four prompts a batch: each wave of six is cut into 4 + 2.
        using var budget = new InFlightBudget(6);
        using var completion = new PipelineCompletion();
        var parts = new GraphParts([], [], [], ActorRefs.Nobody, budget, new StageCounters(), completion);
        var prompts = Harness.Arithmetic(shuffle: false).From(new PromptCursor(0, 0), []).Take(12);
        var batches = new ConcurrentQueue<long[]>();

        var done = Source.From(prompts)
            .Throttle(1, TimeSpan.FromMilliseconds(15), 1, ThrottleMode.Shaping)
            .Via(DeterministicBatching.Create(4, parts))
            .RunForeach(batch => batches.Enqueue([.. batch.Select(p => p.Ordinal)]), Sys.Materializer());
        await AwaitConditionAsync(() => Task.FromResult(batches.Count == 2), TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        Assert.Equal(2, batches.Count);                    // the learner has not stepped: nothing more is admitted
        budget.Release(6);
        await done.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([4, 2, 4, 2], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), batches.SelectMany(b => b));
    }

    [Fact]
    public async Task Groups_reach_the_learner_in_admission_order_whatever_the_verifiers_take()
    {
        // Three verifiers whose time depends on the completion: later completions often finish first.
        var settings = OnPolicy(groupsPerStep: 8, promptsPerBatch: 4, verifiers: 3, maxSteps: 3);
        var filter = new RecordingFilter();
        var samplers = new RecordingSamplerFactory();
        var jittery = new ScriptedRewards(async (task, completion) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(completion.Length % 5 * 4));
            return new RewardOutcome(completion.Contains("unsure", StringComparison.Ordinal) ? 0 : 1, new Dictionary<string, double>(), null);
        });

        await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers, rewards: jittery) with { Groups = filter });

        var offered = filter.Offered.ToArray();
        Assert.Equal(24, offered.Length);
        Assert.Equal(offered.Order(), offered);
        Assert.All(samplers.Created.Single().Batches, b => Assert.Single(b.Prompts));   // a filter hands slots back one by one
    }

    [Fact]
    public async Task A_deterministic_run_with_two_devices_or_stale_rollouts_is_refused_naming_the_key()
    {
        var twoDevices = Harness.Settings(devices: 2, maxStaleness: 0) with { Deterministic = true };
        var stale = Harness.Settings(devices: 1, maxStaleness: 1) with { Deterministic = true };

        foreach (var settings in new[] { twoDevices, stale })
        {
            var error = await Assert.ThrowsAsync<SettingsException>(() => Harness.RunAsync(Sys, settings, Harness.Ports()));
            Assert.Equal("r1.run.deterministic", error.Key);
        }
    }

    /// <summary>Keeps every group (though it says it may leave some out) and records the order the learner offered them in.</summary>
    private sealed class RecordingFilter : IGroupFilter
    {
        public ConcurrentQueue<long> Offered { get; } = new();

        public bool MayLeaveOut => true;

        public bool Keep(ScoredGroup group, int leftOutInStep)
        {
            Offered.Enqueue(group.Prompt.Ordinal);
            return true;
        }
    }
}
