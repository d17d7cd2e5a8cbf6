using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class ResumeTests : PipelineTestKit
{
    [Fact]
    public async Task A_resumed_run_trains_the_next_unseen_prompts_and_none_twice()
    {
        var settings = Harness.Settings(devices: 3, maxSteps: 5, checkpointEvery: 2, maxStaleness: 2);
        var first = new RecordingLearner();
        var (_, before) = await Harness.RunAsync(Sys, settings, Harness.Ports(learner: first));
        var checkpoint = first.Checkpoints.Single(c => c.Step == 4);
        var trainedBefore = Harness.TrainedOrdinals(before.Take(4));

        var second = new RecordingLearner(initialVersion: checkpoint.PolicyVersion);
        var (outcome, after) = await Harness.RunAsync(Sys, settings with { MaxSteps = 9 }, Harness.Ports(learner: second), resume: checkpoint);

        var trainedAfter = Harness.TrainedOrdinals(after);
        Assert.Equal(9, outcome.Progress.Step);
        Assert.Empty(trainedBefore.Intersect(trainedAfter));
        var all = trainedBefore.Concat(trainedAfter).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        var dropped = before.Take(4).Concat(after).SelectMany(s => s.Dropped).Select(p => p.Ordinal).ToArray();
        Assert.All(Enumerable.Range(0, (int)outcome.Progress.NextPrompt.Position), o => Assert.Contains(o, all.Concat(dropped)));
        Assert.All(trainedAfter, o => Assert.True(o >= checkpoint.NextPrompt.Position));
        Assert.Equal(4, second.Steps.First().Step);
        Assert.All(second.Steps, b => Assert.All(b.Groups, g => Assert.InRange(b.PolicyVersion - g.OldestPolicyVersion, 0, settings.MaxStaleness)));
    }

    [Fact]
    public async Task The_cursor_resumes_at_the_first_prompt_of_the_next_epoch()
    {
        // 12 prompts, 4 a step, strictly on-policy: three steps are exactly one epoch.
        var settings = Harness.Settings(devices: 2, groupSize: 2, groupsPerStep: 4, maxStaleness: 0, maxSteps: 3);
        var first = new RecordingLearner();
        var (outcome, _) = await Harness.RunAsync(Sys, settings, Harness.Ports(learner: first), Harness.Arithmetic(12));
        Assert.Equal(new PromptCursor(1, 0), outcome.Progress.NextPrompt);
        Assert.Empty(outcome.Progress.ConsumedAhead);
        Harness.SameProgress(outcome.Progress, first.Checkpoints.Single());

        var second = new RecordingLearner(initialVersion: 3);
        var (_, after) = await Harness.RunAsync(Sys, settings with { MaxSteps = 6 }, Harness.Ports(learner: second), Harness.Arithmetic(12), resume: outcome.Progress);

        var reference = Harness.Arithmetic(12);
        var epochOne = reference.Order(1).Select(i => reference.Dataset.Get(i).Id).ToArray();
        var trained = after.SelectMany(s => s.Groups).Select(g => g.Prompt).ToArray();
        Assert.Equal(Enumerable.Range(12, 12).Select(o => (long)o), trained.Select(p => p.Ordinal).Order());
        Assert.Equal(epochOne.Order(), trained.Select(p => p.Prompt.Id).Order());
        Assert.All(trained, p => Assert.Equal(1, p.Cursor.Epoch));
        Assert.Equal(epochOne.Take(4).Order(), after[0].Groups.Select(g => g.Prompt.Prompt.Id).Order());
    }

    [Fact]
    public async Task A_step_resumed_mid_way_continues_with_the_groups_its_filter_had_already_left_out()
    {
        // A run stopped mid-step after its group filter had left out 2 groups: the resumed step must count them
        // against the filter's per-step limit and report them, as the uninterrupted step would have.
        var filter = new ResumeRecordingFilter();
        var progress = new PipelineProgress(10, 10, new PromptCursor(0, 37), [], 1000, 7, 1234, DiscardedInStep: 2);
        var learner = new RecordingLearner(10);

        var (_, steps) = await Harness.RunAsync(Sys, Harness.Settings(maxSteps: 12), Harness.Ports(learner: learner) with { Groups = filter }, resume: progress);

        Assert.Equal(2, filter.LeftOutCounts[0]);                       // the first group of the resumed step: 2 already left out
        Assert.Equal([2, 0], steps.Select(s => s.Pipeline.DiscardedGroups));
        Assert.Equal(0, learner.Checkpoints[^1].DiscardedInStep);      // a checkpoint between steps has nothing pending
    }

    /// <summary>Keeps every group and records how many groups the pipeline said were left out of the step so far.</summary>
    private sealed class ResumeRecordingFilter : IGroupFilter
    {
        public List<int> LeftOutCounts { get; } = [];

        public bool MayLeaveOut => true;

        public bool Keep(ScoredGroup group, int leftOutInStep)
        {
            LeftOutCounts.Add(leftOutInStep);
            return true;
        }
    }

    [Fact]
    public async Task Resuming_with_another_dataset_or_seed_is_refused_with_the_key_to_fix()
    {
        var progress = new PipelineProgress(4, 4, new PromptCursor(0, 16), [], 999, 7, 1234);

        var error = await Assert.ThrowsAsync<SettingsException>(() =>
            Harness.RunAsync(Sys, Harness.Settings(), Harness.Ports(learner: new RecordingLearner(4)), resume: progress));
        Assert.Contains("999 prompts", error.Message);

        var seedError = await Assert.ThrowsAsync<SettingsException>(() =>
            Harness.RunAsync(Sys, Harness.Settings() with { Seed = 99 }, Harness.Ports(learner: new RecordingLearner(4)), resume: progress with { DatasetCount = 1000 }));
        Assert.Equal("r1.run.seed", seedError.Key);
    }

    [Fact]
    public async Task Stopping_the_run_ends_it_cleanly_with_a_last_checkpoint()
    {
        var learner = new RecordingLearner(cost: () => TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource();
        var run = Harness.RunAsync(Sys, Harness.Settings(maxSteps: 0), Harness.Ports(learner: learner), cancellationToken: stop.Token);
        while (learner.Steps.Count < 3)
            await Task.Delay(10);

        stop.Cancel();
        var (outcome, steps) = await run;

        Assert.Equal(StopReason.Stopped, outcome.Reason);
        Assert.Equal(steps.Count, outcome.Progress.Step);
        Harness.SameProgress(outcome.Progress, learner.Checkpoints[^1]);
    }

    [Fact]
    public async Task The_run_ends_when_the_prompts_run_out_leaving_a_partial_batch_untrained()
    {
        var settings = Harness.Settings(groupsPerStep: 4, maxSteps: 0);

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(), Harness.Arithmetic(10, maxEpochs: 1));

        Assert.Equal(StopReason.PromptsExhausted, outcome.Reason);
        Assert.Equal(2, steps.Count);
        Assert.Equal(8, Harness.TrainedOrdinals(steps).Length);
    }
}
