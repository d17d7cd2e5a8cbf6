using System.Text.RegularExpressions;

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

    /// <summary>
    /// Every property that docs/seq.md's Step queries and dashboard read (<c>mean(X)</c>, <c>X &gt; 0.05</c>, …) is on
    /// every Step event the daemon writes, so a renamed metric breaks this test before it breaks a user's dashboard.
    /// Two are present only when they apply: KL to the reference (kl-beta &gt; 0) and the reason a step was skipped.
    /// </summary>
    [Fact]
    public void Every_property_that_the_seq_guide_queries_is_on_every_step_event()
    {
        var queried = SeqGuideStepProperties();
        string[] conditional = [MetricNames.KlReference, MetricNames.SkipReason];
        Assert.Contains(MetricNames.RewardMean, queried);
        Assert.Superset(conditional.ToHashSet(), queried.Intersect(conditional).ToHashSet());
        var steps = RunFolder.Steps(reference.Folder.Events());
        Assert.NotEmpty(steps);
        foreach (var name in queried.Except(conditional))
            Assert.All(steps, step => Assert.True(step.TryGetProperty(name, out _), $"docs/seq.md queries {name}, which step {RunFolder.Long(step, "Step")} lacks"));
        var withReference = new StepMetrics
        {
            Step = 1, PolicyVersion = 1, Applied = true, Loss = 0, GradNorm = 0, LearningRate = 0, Kl = 0, KlReference = 0.5, Entropy = 0,
            ImportanceRatioMean = 1, ClipRatioLowMean = 0, ClipRatioHighMean = 0, RewardMean = 0, RewardStd = 0, Accuracy = 0,
            FracRewardZeroStd = 0, AdvantagesAbsMean = 0, CompletionLengthMean = 0, CompletionLengthMax = 0, CompletionLengthMin = 0,
            CompletionsClippedRatio = 0, Groups = 1, Completions = 1, Staleness = 0, StalenessMax = 0, NumTokens = 0, NumTokensTotal = 0,
            MicroBatches = 1, StepSeconds = 1,
        };
        Assert.Equal(0.5, withReference.Figures()[MetricNames.KlReference]);
    }

    /// <summary>The property names in the guide's queries over Step events: its query lines that select Step, and its dashboard table.</summary>
    private static IReadOnlyList<string> SeqGuideStepProperties()
    {
        var lines = File.ReadAllLines(RepositoryPaths.File("docs", "seq.md"));
        var dashboard = Array.FindIndex(lines, l => l.StartsWith("## A dashboard", StringComparison.Ordinal));
        Assert.True(dashboard > 0, "docs/seq.md has no dashboard section");
        var queries = lines.Where((l, i) => (l.Contains("EventKind = 'Step'", StringComparison.Ordinal) && !l.StartsWith('|')) || (i > dashboard && l.StartsWith("| ", StringComparison.Ordinal)))
            .Select(l => l.Split("--")[0])
            .Select(l => Regex.Replace(l, @"EventKind = '\w+'|Run = \S+|from stream|group by.*|as \w+", ""));
        return [.. queries.SelectMany(q => Regex.Matches(q, @"\b(?:mean|max|min|sum|has)\((\w+)\)|\b([A-Z]\w+) [<>=]").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
            .Where(name => name != "HeldOutAccuracy")                 // the dashboard reads it from Evaluation events
            .Distinct()];
    }
}
