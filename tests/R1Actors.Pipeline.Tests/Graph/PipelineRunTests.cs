using R1Actors.Pipeline.Contracts;
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

    [Fact]
    public async Task A_skipped_update_counts_as_a_step_but_keeps_the_weights_version()
    {
        var learner = new RecordingLearner(skips: batch => batch.Step is 1 or 2);
        var settings = Harness.Settings(maxSteps: 5, maxStaleness: 0);

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(learner: learner));

        Assert.Equal(5, outcome.Progress.Step);
        Assert.Equal(3, outcome.Progress.PolicyVersion);
        Assert.Equal([0L, 1, 1, 1, 2], learner.Steps.Select(b => b.PolicyVersion));
        Assert.Equal(0, outcome.DroppedRolloutsTotal);
        Assert.Equal("no group carried a reward signal", steps[1].Outcome.SkipReason);
    }

    [Fact]
    public async Task A_learner_that_goes_back_in_versions_stops_the_run_without_retrying_the_step()
    {
        var learner = new BackwardsLearner();

        var error = await Assert.ThrowsAsync<PipelineFailedException>(() => Harness.RunAsync(Sys, Harness.Settings(maxSteps: 5), Harness.Ports(learner: learner)));

        Assert.Contains("without saying it skipped the update", error.Message);
        Assert.Equal(1, learner.Calls);
    }

    [Fact]
    public async Task Groups_the_filter_leaves_out_are_counted_and_replaced_by_fresh_prompts()
    {
        var learner = new RecordingLearner();
        var filter = new SignalOnly();
        var settings = Harness.Settings(groupSize: 4, groupsPerStep: 4, maxSteps: 5);

        var (outcome, steps) = await Harness.RunAsync(Sys, settings, Harness.Ports(learner: learner) with { Groups = filter });

        Assert.True(filter.LeftOut > 0);
        Assert.All(learner.Steps, b => Assert.Equal(4, b.Groups.Count));
        Assert.All(learner.Steps.SelectMany(b => b.Groups), g => Assert.True(SignalOnly.HasSignal(g)));
        Assert.Equal(learner.Steps.Sum(b => b.DiscardedGroups), steps.Sum(s => s.Pipeline.DiscardedGroups));
        Assert.All(learner.Steps, b => Assert.Equal(b.Groups.Select(g => g.Prompt.Ordinal).Order(), b.Groups.Select(g => g.Prompt.Ordinal)));
        var trained = Harness.TrainedOrdinals(steps);
        Assert.Equal(trained.Length, trained.Distinct().Count());
        var consumed = outcome.Progress.NextPrompt.Position + outcome.Progress.ConsumedAhead.Count;
        Assert.Equal(trained.Length + learner.Steps.Sum(b => b.DiscardedGroups) + (outcome.DroppedRolloutsTotal / settings.GroupSize), consumed);
    }

    /// <summary>Keeps only groups whose rewards differ (DAPO's dynamic sampling, without a limit).</summary>
    private sealed class SignalOnly : IGroupFilter
    {
        public int LeftOut { get; private set; }

        public static bool HasSignal(ScoredGroup group) => group.Completions.Select(c => c.Reward.Score).Distinct().Count() > 1;

        public bool MayLeaveOut => true;

        public bool Keep(ScoredGroup group, int leftOutInStep)
        {
            if (HasSignal(group))
                return true;
            LeftOut++;
            return false;
        }
    }

    private sealed class BackwardsLearner : ILearnerPort
    {
        public int Calls { get; private set; }

        public long PolicyVersion => 0;

        public StepOutcome Step(LearnerBatch batch)
        {
            Calls++;
            return new(0, new Dictionary<string, double>());
        }

        public void Checkpoint(PipelineProgress progress)
        {
        }
    }
}
