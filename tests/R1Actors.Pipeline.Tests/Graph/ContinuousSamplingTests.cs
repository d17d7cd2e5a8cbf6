using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Settings;
using R1Actors.Simulation;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class ContinuousSamplingTests : PipelineTestKit
{
    // 8 slots of G = 4 per sampler, up to 9 prompts held (one per slot and one waiting); lengths long-tailed around 12 steps.
    private static SimulatedContinuousSamplerFactory Samplers() => new(slots: 8, TimeSpan.FromMilliseconds(0.2), medianLength: 12, maxLength: 200);

    private static PipelineSettings Settings(WeightSwitch weightSwitch) =>
        Harness.Settings(devices: 2, groupSize: 4, groupsPerStep: 4, maxStaleness: 1, maxSteps: 8)
            with { ContinuousPrompts = 9, WeightSwitch = weightSwitch };

    [Theory]
    [InlineData(WeightSwitch.BetweenSteps)]
    [InlineData(WeightSwitch.BetweenBatches)]
    public async Task Continuous_samplers_train_every_group_once_and_never_hold_more_prompts_than_their_slots_allow(WeightSwitch weightSwitch)
    {
        var samplers = Samplers();
        var settings = Settings(weightSwitch);
        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers));

        Assert.Equal(8, outcome.Progress.Step);
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(trained.Length, trained.Distinct().Count());
        Assert.Equal(8 * settings.GroupsPerStep, trained.Length);
        Assert.Empty(trained.Intersect(steps.SelectMany(s => s.Dropped).Select(p => p.Ordinal)));
        Assert.All(steps.SelectMany(s => s.Groups), g => Assert.Equal(settings.GroupSize, g.Completions.Count));
        Assert.All(samplers.Created, s => Assert.InRange(s.MostPromptsHeld, 1, settings.ContinuousPrompts));
        Assert.All(samplers.Created, s => Assert.True(s.Occupancy.ActiveRowSteps > 0));
    }

    [Fact]
    public async Task A_refused_prompts_group_completes_at_once_and_the_run_trains_every_group_once_without_stalling()
    {
        var samplers = new SimulatedContinuousSamplerFactory(slots: 8, TimeSpan.FromMilliseconds(0.2), medianLength: 12, maxLength: 200,
            refuses: prompt => prompt.Ordinal % 3 == 1);
        var settings = Settings(WeightSwitch.BetweenSteps);
        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers));

        Assert.Equal(8, outcome.Progress.Step);
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(8 * settings.GroupsPerStep, trained.Length);
        Assert.Equal(trained.Length, trained.Distinct().Count());
        var refused = steps.SelectMany(s => s.Groups).Where(g => g.Prompt.Ordinal % 3 == 1).ToArray();
        Assert.NotEmpty(refused);
        Assert.All(refused, g => Assert.All(g.Completions, c =>
            Assert.True(c.Rollout.Refused && c.Rollout.CompletionTokenIds.Count == 0 && c.Reward.Score == 0, $"prompt {g.Prompt.Ordinal}")));
        Assert.All(steps.SelectMany(s => s.Groups), g => Assert.Equal(settings.GroupSize, g.Completions.Count));
    }

    [Fact]
    public async Task Between_batches_every_completion_has_one_version_and_between_steps_rows_in_flight_take_the_new_one()
    {
        long Mixed(SimulatedContinuousSamplerFactory samplers, IReadOnlyList<StepReport> steps) =>
            steps.SelectMany(s => s.Groups).SelectMany(g => g.Completions).Count(c =>
                samplers.Created.Single(s => s.NewestTokenVersions.ContainsKey((c.Rollout.Prompt.Ordinal, c.Rollout.SampleIndex)))
                    .NewestTokenVersions[(c.Rollout.Prompt.Ordinal, c.Rollout.SampleIndex)] != c.Rollout.PolicyVersion);

        var batches = Samplers();
        var (_, batchSteps) = await Harness.RunAsync(Sys, Settings(WeightSwitch.BetweenBatches), Harness.Ports(samplers: batches));
        var stepwise = Samplers();
        var (_, stepSteps) = await Harness.RunAsync(Sys, Settings(WeightSwitch.BetweenSteps), Harness.Ports(samplers: stepwise));

        Assert.Equal(0, Mixed(batches, batchSteps));
        Assert.True(Mixed(stepwise, stepSteps) > 0, "some completion kept sampling across a weights switch");
        // The Step event's per-token staleness: the rollouts' own when nothing switched mid-row, lower when rows took newer weights.
        static double RolloutMean(StepReport s) =>
            s.Groups.SelectMany(g => g.Completions).Sum(c => (double)(s.Pipeline.PolicyVersion - 1 - c.Rollout.PolicyVersion) * c.Rollout.CompletionTokenIds.Count)
            / s.Groups.SelectMany(g => g.Completions).Sum(c => c.Rollout.CompletionTokenIds.Count);
        Assert.All(batchSteps, s => Assert.Equal(RolloutMean(s), s.Pipeline.TokenStalenessMean, 9));
        Assert.Contains(stepSteps, s => s.Pipeline.TokenStalenessMean < RolloutMean(s) - 1e-9);
        Assert.All(stepSteps, s => Assert.InRange(s.Pipeline.TokenStalenessMax, 0, 1));
        // The gate checks a completion's oldest token: nothing trained is staler than k.
        Assert.All(stepSteps, s => Assert.All(s.Groups, g => Assert.InRange(s.Pipeline.Step - 1 - g.Completions.Min(c => c.Rollout.PolicyVersion), 0, 1)));
    }

    [Fact]
    public async Task A_continuous_sampler_crash_samples_every_prompt_it_held_again_and_trains_none_twice()
    {
        var inner = Samplers();
        var samplers = new CrashingOnce(inner, crashAtStep: 40);
        var settings = Settings(WeightSwitch.BetweenSteps) with { MaxStaleness = 20 };
        var log = new CapturedLog();

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers), log: log.Logger);

        Assert.Equal(StopReason.MaxSteps, outcome.Reason);
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(trained.Length, trained.Distinct().Count());
        Assert.All(Enumerable.Range(0, (int)outcome.Progress.NextPrompt.Position), i => Assert.Contains(i, trained));
        Assert.Equal(settings.Devices.Count + 1, inner.Created.Count);
        Assert.Contains(log.Events, e => e.Level == Serilog.Events.LogEventLevel.Error && e.MessageTemplate.Text.Contains("every prompt it held", StringComparison.Ordinal));
    }

    /// <summary>The first port it makes throws at its given decode step, with prompts in hand; every later port is sound.</summary>
    private sealed class CrashingOnce(SimulatedContinuousSamplerFactory inner, int crashAtStep) : ISamplerPortFactory
    {
        private int _made;

        public ISamplerPort Create(string device)
        {
            var port = (IContinuousSamplerPort)inner.Create(device);
            return Interlocked.Increment(ref _made) == 1 ? new Crashing(port, crashAtStep) : port;
        }

        private sealed class Crashing(IContinuousSamplerPort port, int crashAtStep) : IContinuousSamplerPort
        {
            private int _steps;

            public long PolicyVersion => port.PolicyVersion;
            public bool HasWork => port.HasWork;
            public bool WantsMore => port.WantsMore;
            public int RowsInFlight => port.RowsInFlight;
            public (long ActiveRowSteps, long SlotSteps) Occupancy => port.Occupancy;
            public void ApplyWeights(long version) => port.ApplyWeights(version);
            public IReadOnlyList<Rollout> Generate(SampleBatch batch) => port.Generate(batch);
            public void Enqueue(IssuedPrompt prompt, int groupSize, ulong runSeed) => port.Enqueue(prompt, groupSize, runSeed);

            public IReadOnlyList<IReadOnlyList<Rollout>> Step() =>
                ++_steps == crashAtStep ? throw new InvalidOperationException("simulated device fault mid-batch") : port.Step();

            public void Dispose() => port.Dispose();
        }
    }
}
