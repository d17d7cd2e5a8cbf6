namespace R1Actors.Tests.Daemon;

/// <summary>The Step events of <see cref="ReferenceRun"/>'s uninterrupted run, as Seq receives them.</summary>
[Collection(DaemonCollection.Name)]
public sealed class StepEventTests(ReferenceRun reference)
{
    [Fact]
    public void Every_step_event_carries_the_learner_and_pipeline_figures_under_names_of_their_own()
    {
        var steps = RunFolder.Steps(reference.Folder.Events()).ToArray();
        Assert.Equal(Enumerable.Range(1, ReferenceRun.Steps).Select(s => (long)s), steps.Select(e => RunFolder.Long(e, "Step")));
        string[] expected =
        [
            "PolicyVersion", "RewardMean", "Accuracy", "Loss", "Kl", "Entropy", "GradNorm", "RewardStd", "FracRewardZeroStd",
            "CompletionLengthMean", "CompletionsClippedRatio", "ClipRatioLowMean", "ClipRatioHighMean",
            "TokensPerSecond", "LearnerTokensPerSecond", "QueueDepth", "SamplerBusyMin", "SamplerBusy", "Queues", "StalenessHistogram",
            "VerifierLatencyP50Ms", "DroppedRollouts", "ResidentMemoryBytes", "ManagedCommittedBytes",
        ];
        foreach (var step in steps)
            Assert.All(expected, name => Assert.True(step.TryGetProperty(name, out _), $"step {RunFolder.Long(step, "Step")} has no {name}"));
        // The pipeline's rate covers sampling, verification and learning; the learner's covers its own step only.
        Assert.Contains(steps, e => RunFolder.Number(e, "LearnerTokensPerSecond") > RunFolder.Number(e, "TokensPerSecond"));
    }
}
