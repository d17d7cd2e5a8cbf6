using R1Actors.Simulation;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;
using Serilog;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class StalenessTests : PipelineTestKit
{
    /// <summary>
    /// Property: whatever the stage timings (devices at different speeds, jittery verifiers, a learner of varying
    /// pace), starting fresh or resumed at a later version, no step trains on a rollout more than k versions old,
    /// every stale group is dropped and counted, and no prompt is trained twice.
    /// </summary>
    [Fact]
    public async Task The_staleness_bound_holds_for_random_stage_timings()
    {
        for (var seed = 0; seed < 16; seed++)
        {
            var random = new Random(seed);
            var settings = Harness.Settings(
                devices: random.Next(1, 4), groupSize: random.Next(1, 5), groupsPerStep: random.Next(1, 7),
                promptsPerBatch: random.Next(1, 4), maxStaleness: random.Next(0, 4), verifiers: random.Next(1, 4), maxSteps: 8);
            var jitter = new Jitter(seed);
            var slowDevice = $"sim:{random.Next(0, settings.Devices.Count)}";
            var samplers = new RecordingSamplerFactory(delay: port => jitter.Next(port.Device == slowDevice ? 12 : 3));
            var verify = new SimulatedVerifier(TimeSpan.Zero);
            var rewards = new ScriptedRewards((task, text) =>
            {
                SimulatedWork.Spend(jitter.Next(2));
                return verify.ScoreAsync(task, text, CancellationToken.None).AsTask();
            });
            var resumedAt = random.Next(0, 2) * 10L;
            settings = settings with { MaxSteps = resumedAt + 8 };
            var learner = new RecordingLearner(resumedAt, cost: () => jitter.Next(6));
            var resume = resumedAt == 0 ? null : new PipelineProgress(resumedAt, resumedAt, new PromptCursor(0, 37), [], 1000, 7, 1234);

            var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers, rewards: rewards, learner: learner), resume: resume);

            var context = $"seed {seed}: {settings}";
            Assert.True(learner.Steps.Count == 8, context);
            foreach (var batch in learner.Steps)
            {
                Assert.All(batch.Groups, g => Assert.InRange(batch.PolicyVersion - g.OldestPolicyVersion, 0, settings.MaxStaleness));
                Assert.All(batch.Groups, g => Assert.True(g.OldestPolicyVersion >= resumedAt, context));
            }
            Assert.Equal(outcome.DroppedRolloutsTotal, steps.Sum(s => s.Pipeline.DroppedRollouts));
            Assert.All(steps, s => Assert.All(s.Pipeline.StalenessHistogram.Keys, k => Assert.InRange(int.Parse(k), 0, settings.MaxStaleness)));
            var trained = Harness.TrainedOrdinals(steps);
            Assert.True(trained.Length == trained.Distinct().Count(), context);
            Assert.All(trained, o => Assert.True(o >= 37 || resumedAt == 0, context));
        }
    }

    [Fact]
    public async Task A_group_older_than_k_versions_is_dropped_counted_and_its_slot_freed()
    {
        var settings = Harness.Settings(groupSize: 2, groupsPerStep: 2, maxStaleness: 1);
        var prompts = Harness.Arithmetic(100);
        using var budget = new InFlightBudget(settings.InFlightPrompts);
        for (var i = 0; i < 4; i++)
            Assert.True(await budget.TryAcquireAsync(CancellationToken.None));
        var learner = new RecordingLearner(initialVersion: 5);
        var metrics = new MetricsCollector(TimeProvider.System, new Dictionary<string, BusyClock>(), new StageCounters(), new LatencyWindow(), () => budget.InUse, 2);
        var start = new PipelineProgress(5, 5, new PromptCursor(0, 0), [], prompts.Count, prompts.DataSeed, settings.Seed);
        var loop = new LearnerLoop(settings, Harness.Ports(learner: learner), prompts, start, budget, new PolicyVersionBoard(5), metrics, new LoggerConfiguration().CreateLogger(), null);
        var issued = prompts.From(new PromptCursor(0, 0), []).Take(3).ToArray();

        loop.Accept(Group(issued[0], version: 3));
        loop.Accept(Group(issued[1], version: 4));
        loop.Accept(Group(issued[2], version: 5));

        Assert.True(loop.StepDue);
        Assert.Equal(2, loop.DroppedRolloutsTotal);
        Assert.Equal(3, budget.InUse);
        var report = loop.Commit(loop.Train(), _ => { });
        Assert.Equal([1L, 2], report.Groups.Select(g => g.Prompt.Ordinal));
        Assert.Equal(new Dictionary<string, long> { ["0"] = 2, ["1"] = 2 }, report.Pipeline.StalenessHistogram);
        Assert.Equal(2, report.Pipeline.DroppedRollouts);
        Assert.Equal(new PromptCursor(0, 3), loop.Progress.NextPrompt);
        Assert.Equal(1, budget.InUse);
    }

    private static ScoredGroup Group(IssuedPrompt prompt, long version) =>
        new(prompt, Enumerable.Range(0, 2).Select(i => new ScoredRollout(
            new Rollout(prompt, i, [1], [2], "<answer>x</answer>", [-1f], version, FinishReason.Stop, "sim:0"),
            new RewardOutcome(0, new Dictionary<string, double>(), "wrong"),
            TimeSpan.Zero)).ToArray());

    /// <summary>Seeded random delays shared by threads.</summary>
    private sealed class Jitter(int seed)
    {
        private readonly Random _random = new(seed);
        private readonly Lock _gate = new();

        public TimeSpan Next(int maxMilliseconds)
        {
            lock (_gate)
                return TimeSpan.FromMilliseconds(_random.NextDouble() * maxMilliseconds);
        }
    }
}
