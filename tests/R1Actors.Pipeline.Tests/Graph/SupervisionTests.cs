using R1Actors.Simulation;
using R1Actors.Pipeline.Graph;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class SupervisionTests : PipelineTestKit
{
    [Fact]
    public async Task A_sampler_crash_loses_no_prompt_and_trains_none_twice()
    {
        // Devices that take a little time, so the healthy one cannot train the whole run on its own before the
        // crashed one is back; k above the run's length, so no group can be dropped as stale.
        var samplers = new RecordingSamplerFactory(fails: (call, _) => call == 3, costs: new SimulatedDeviceCosts(TimeSpan.FromMilliseconds(3), TimeSpan.Zero, TimeSpan.Zero));
        var settings = Harness.Settings(devices: 2, maxSteps: 12, maxStaleness: 20);
        var log = new CapturedLog();

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers), log: log.Logger);

        Assert.Equal(StopReason.MaxSteps, outcome.Reason);
        Assert.Equal(0, outcome.DroppedRolloutsTotal);
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(trained.Length, trained.Distinct().Count());
        var done = outcome.Progress;
        Assert.All(Enumerable.Range(0, (int)done.NextPrompt.Position), i => Assert.Contains(i, trained));
        var crashed = Assert.Single(samplers.FailedBatches);
        Assert.All(crashed.Prompts, p => Assert.Contains(p.Ordinal, trained));
        var replaced = Assert.Single(samplers.Created.GroupBy(p => p.Device), d => d.Count() == 2).ToArray();
        Assert.Contains(crashed, samplers.FailedBatches);
        Assert.Equal(settings.Devices.Count + 1, samplers.Created.Count);
        Assert.All(samplers.Created, p => Assert.True(p.Disposed));
        Assert.Contains(log.Events, e => e.Level == Serilog.Events.LogEventLevel.Error && e.MessageTemplate.Text.Contains("sampling the batch again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restarted_sampler_loads_the_newest_weights_before_it_samples_again()
    {
        var samplers = new RecordingSamplerFactory(fails: (call, _) => call == 12);
        var settings = Harness.Settings(devices: 1, maxSteps: 8, maxStaleness: 3);

        await Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers));

        var ports = samplers.Created.ToArray();
        Assert.Equal(2, ports.Length);
        var crashedAt = ports[0].PolicyVersion;
        Assert.True(crashedAt > 0);
        Assert.True(ports[1].Applied.First() >= crashedAt);
        Assert.True(ports[1].Batches.First().Prompts.Count > 0);
    }

    [Fact]
    public async Task A_sampler_that_keeps_failing_stops_the_run_with_a_clear_error_after_a_last_checkpoint()
    {
        var samplers = new RecordingSamplerFactory(fails: (call, port) => call > 12 && port.Device == "sim:1");
        var learner = new RecordingLearner();
        var settings = Harness.Settings(devices: 2, maxSteps: 50) with
        {
            Supervision = Harness.Settings().Supervision with { SamplerMaxRestarts = 2 },
        };

        var error = await Assert.ThrowsAsync<PipelineFailedException>(() => Harness.RunAsync(Sys, settings, Harness.Ports(samplers: samplers, learner: learner)));

        Assert.Contains("sampler 'sampler-sim-1' stopped for good", error.Message);
        Assert.Contains("simulated device fault", error.Message);
        Assert.Equal(3, samplers.FailedBatches.Count);
        Assert.NotEmpty(learner.Steps);
        Assert.Equal(learner.Steps.Count, learner.Checkpoints.Single().Step);
    }

    [Fact]
    public async Task Verifier_faults_and_timeouts_score_zero_with_their_reason_and_are_logged()
    {
        var verifier = new SimulatedVerifier(TimeSpan.Zero);
        var rewards = new ScriptedRewards(async (task, completion) =>
        {
            if (completion.Contains("unsure", StringComparison.Ordinal))
                throw new InvalidOperationException("parser bug");
            if (HangsOn(task))
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
            return await verifier.ScoreAsync(task, completion, CancellationToken.None);
        });
        var settings = Harness.Settings(maxSteps: 6) with { VerifyTimeout = TimeSpan.FromMilliseconds(150) };
        var log = new CapturedLog();

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(rewards: rewards), log: log.Logger);

        Assert.Equal(StopReason.MaxSteps, outcome.Reason);
        var scored = steps.SelectMany(s => s.Groups).SelectMany(g => g.Completions).ToArray();
        var faulted = scored.Where(c => c.Rollout.CompletionText.Contains("unsure", StringComparison.Ordinal)).ToArray();
        var hung = scored.Except(faulted).Where(c => HangsOn(c.Rollout.Prompt.Prompt.Task)).ToArray();
        var fine = scored.Except(faulted).Except(hung).ToArray();
        Assert.NotEmpty(faulted);
        Assert.NotEmpty(hung);
        Assert.All(faulted, c => Assert.Equal(new RewardOutcome(0, c.Reward.Components, "verifier fault: InvalidOperationException: parser bug"), c.Reward));
        Assert.All(hung, c => Assert.Equal(0, c.Reward.Score));
        Assert.All(hung, c => Assert.StartsWith("verifier timed out after 0.1", c.Reward.Reason, StringComparison.Ordinal));
        Assert.All(fine, c => Assert.Equal(1, c.Reward.Score));
        var warnings = log.With("Reason").Where(e => e.Level == Serilog.Events.LogEventLevel.Warning).ToArray();
        var warned = warnings.Select(Key).ToHashSet();
        var warnedWithException = warnings.Where(w => w.Exception is InvalidOperationException).Select(Key).ToHashSet();
        Assert.All(faulted, c => Assert.Contains($"\"{c.Rollout.Prompt.Prompt.Id}\"/{c.Rollout.SampleIndex}", warnedWithException));
        Assert.All(hung, c => Assert.Contains($"\"{c.Rollout.Prompt.Prompt.Id}\"/{c.Rollout.SampleIndex}", warned));
        Assert.True(steps.Sum(s => s.Pipeline.VerifierFaults) >= faulted.Length + hung.Length);
    }

    [Fact]
    public async Task A_learner_fault_is_retried_with_the_same_batch_and_no_step_is_taken_twice()
    {
        var learner = new RecordingLearner(fails: (attempt, _) => attempt == 3);
        var settings = Harness.Settings(maxSteps: 5);

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(learner: learner));

        Assert.Equal(5, outcome.Progress.Step);
        Assert.Equal(5, learner.PolicyVersion);
        var attempts = learner.Attempts.ToArray();
        Assert.Equal(6, attempts.Length);
        Assert.Equal(attempts[2].Groups.Select(g => g.Prompt.Ordinal), attempts[3].Groups.Select(g => g.Prompt.Ordinal));
        Assert.Equal(attempts[2].Step, attempts[3].Step);
        Assert.Equal([0L, 1, 2, 3, 4], learner.Steps.Select(b => b.Step));
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(trained.Length, trained.Distinct().Count());
    }

    [Fact]
    public async Task Repeated_learner_faults_stop_the_run_with_the_last_error()
    {
        var learner = new RecordingLearner(fails: (_, batch) => batch.Step >= 2);
        var settings = Harness.Settings(maxSteps: 10);

        var error = await Assert.ThrowsAsync<PipelineFailedException>(() => Harness.RunAsync(Sys, settings, Harness.Ports(learner: learner)));

        Assert.Contains("learner 'learner' stopped for good", error.Message);
        Assert.Contains("learner step 2 failed: simulated learner fault", error.Message);
        Assert.Equal(2, learner.Steps.Count);
        Assert.Equal(3, learner.Attempts.Count(b => b.Step == 2));
        Assert.Empty(learner.Checkpoints);
    }

    private static string Key(Serilog.Events.LogEvent e) => $"{e.Properties["PromptId"]}/{e.Properties["SampleIndex"]}";

    private static bool HangsOn(TaskSpec task) => task.Fields["reference"].GetString()![^1] is '1' or '3' or '7';
}
