using System.Globalization;
using R1Actors.Hosting;
using R1Actors.Logging;
using R1Actors.Pipeline.Graph;
using R1Actors.Rewards;
using Serilog;
using Serilog.Core;
using Serilog.Core.Enrichers;

namespace R1Actors.Daemon;

/// <summary>
/// The run's per-step telemetry: one <c>Step</c> event carrying every learner and pipeline figure as a property
/// named in <see cref="MetricNames"/>, a sampled <c>Rollout</c> event every N steps, and the live status
/// line on a terminal. Called on the learner's thread after each step.
/// </summary>
public sealed class StepEvents(ILogger log, StatusLine? statusLine, int rolloutLogEvery, long maxSteps, TimeSpan maxDuration, TimeProvider time,
    RewardDispatcher? rewards = null)
{
    private readonly long _started = time.GetTimestamp();
    private long _firstStep = -1;

    public void Write(StepReport report)
    {
        var metrics = report.Outcome.Metrics;
        var pipeline = report.Pipeline;
        var completionTokens = report.Groups.Sum(g => g.Completions.Sum(c => (long)c.Rollout.CompletionTokenIds.Count));
        var tokensPerSecond = pipeline.StepSeconds > 0 ? completionTokens / pipeline.StepSeconds : 0.0;
        var properties = new List<ILogEventEnricher>
        {
            new PropertyEnricher(EventKinds.Property, EventKinds.Step),
            new PropertyEnricher(MetricNames.TokensPerSecond, tokensPerSecond),
            new PropertyEnricher(MetricNames.QueueDepth, pipeline.Queues.RolloutsAwaitingVerifier + pipeline.Queues.RolloutsAwaitingGroup + pipeline.Queues.GroupsAwaitingLearner),
            new PropertyEnricher(MetricNames.SamplerBusyMin, pipeline.SamplerBusyMin),
            new PropertyEnricher(MetricNames.SamplerBusy, pipeline.SamplerBusy, destructureObjects: true),
            new PropertyEnricher(MetricNames.Queues, pipeline.Queues, destructureObjects: true),
            new PropertyEnricher(MetricNames.InFlightPrompts, pipeline.InFlightPrompts),
            new PropertyEnricher(MetricNames.VerifierLatencyP50Ms, pipeline.VerifierLatencyP50Ms),
            new PropertyEnricher(MetricNames.VerifierLatencyP90Ms, pipeline.VerifierLatencyP90Ms),
            new PropertyEnricher(MetricNames.VerifierLatencyP99Ms, pipeline.VerifierLatencyP99Ms),
            new PropertyEnricher(MetricNames.VerifierFaults, pipeline.VerifierFaults),
            new PropertyEnricher(MetricNames.StalenessHistogram, pipeline.StalenessHistogram, destructureObjects: true),
            new PropertyEnricher(MetricNames.TokenStalenessMax, pipeline.TokenStalenessMax),
            new PropertyEnricher(MetricNames.TokenStalenessMean, pipeline.TokenStalenessMean),
            new PropertyEnricher(MetricNames.DroppedRollouts, pipeline.DroppedRollouts),
            new PropertyEnricher(MetricNames.DroppedRolloutsTotal, pipeline.DroppedRolloutsTotal),
            new PropertyEnricher(MetricNames.DiscardedGroups, pipeline.DiscardedGroups),
            new PropertyEnricher(MetricNames.TrainedPrompts, report.Groups.Select(g => g.Prompt.Ordinal).ToArray(), destructureObjects: true),
            new PropertyEnricher(MetricNames.DroppedPrompts, report.Dropped.Select(p => p.Ordinal).ToArray(), destructureObjects: true),
            new PropertyEnricher(MetricNames.RolloutsPerSecond, pipeline.RolloutsPerSecond),
            new PropertyEnricher(MetricNames.PipelineStepSeconds, pipeline.StepSeconds),
            new PropertyEnricher(MetricNames.RewardComponentMeans, ComponentMeans(report.Groups), destructureObjects: true),
        };
        if (pipeline.SamplerNodes.Count > 0)
            properties.Add(new PropertyEnricher(MetricNames.SamplerNodes, pipeline.SamplerNodes, destructureObjects: true));
        if (rewards is not null)
        {
            properties.Add(new PropertyEnricher(MetricNames.SandboxFaults, rewards.SandboxFaults));
            properties.Add(new PropertyEnricher(MetricNames.CustomRewardFailures, rewards.CustomRewardFailures));
        }
        // The learner's figures under their own names; the four the message template carries are left to it.
        properties.AddRange(metrics
            .Where(m => m.Key is not (MetricNames.Step or MetricNames.PolicyVersion or MetricNames.RewardMean or MetricNames.Accuracy))
            .Select(m => new PropertyEnricher(m.Key, m.Value)));
        properties.AddRange(MemoryProperties());
        if (report.Outcome.SkipReason is { } skip)
            properties.Add(new PropertyEnricher(MetricNames.SkipReason, skip));
        var reward = Metric(metrics, MetricNames.RewardMean);
        var accuracy = Metric(metrics, MetricNames.Accuracy);
        log.ForContext(properties)
            .Information("Step {Step} (v{PolicyVersion}): reward {RewardMean:F3}, accuracy {Accuracy:P1}, {StepTokensPerSecond:F0} tokens/s",
                pipeline.Step, report.Outcome.PolicyVersion, reward, accuracy, tokensPerSecond);
        WriteRollout(report);
        UpdateStatus(pipeline.Step, reward, accuracy, tokensPerSecond);
    }

    /// <summary>
    /// Resident memory (VmRSS) after the step, and the part of it the .NET GC has committed (the rest is libtorch's
    /// and the C allocator's): a daemon that runs for days must stay flat. GC.GetTotalMemory is not used: under the
    /// regions GC it can come out negative (dotnet/runtime#106712).
    /// </summary>
    private static IEnumerable<ILogEventEnricher> MemoryProperties()
    {
        if (ProcessMemory.OfThisProcess() is { } memory)
            yield return new PropertyEnricher(MetricNames.ResidentMemoryBytes, memory.Resident);
        yield return new PropertyEnricher(MetricNames.ManagedCommittedBytes, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    /// <summary>Per component name, its mean over the completions that have it (kinds differ in their components).</summary>
    private static Dictionary<string, double> ComponentMeans(IReadOnlyList<ScoredGroup> groups) =>
        groups.SelectMany(g => g.Completions).SelectMany(c => c.Reward.Components)
            .GroupBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(c => c.Value), StringComparer.Ordinal);

    private void WriteRollout(StepReport report)
    {
        if (rolloutLogEvery <= 0 || report.Pipeline.Step % rolloutLogEvery != 0 || report.Groups.Count == 0)
            return;
        var group = report.Groups[0];
        var sample = group.Completions[0];
        var prompt = group.Prompt.Prompt;
        log.ForContext(EventKinds.Property, EventKinds.Rollout)
            .ForContext("RewardComponents", sample.Reward.Components, destructureObjects: true)
            .ForContext("FinishReason", sample.Rollout.FinishReason.ToString())
            .Information("Rollout at step {Step} for {PromptId} (v{SamplerVersion}): {PromptText} => {Completion} scored {Reward} {RewardReason}",
                report.Pipeline.Step, prompt.Id, sample.Rollout.PolicyVersion, PromptText(prompt.Content), sample.Rollout.CompletionText,
                sample.Reward.Score, sample.Reward.Reason ?? "");
    }

    private static string PromptText(PromptContent content) => content switch
    {
        TextPrompt t => t.Text,
        ChatPrompt c => string.Join(" | ", c.Messages.Select(m => $"{m.Role}: {m.Content}")),
        _ => content.ToString() ?? "",
    };

    private void UpdateStatus(long step, double reward, double accuracy, double tokensPerSecond)
    {
        if (statusLine is null)
            return;
        if (_firstStep < 0)
            _firstStep = step;
        var elapsed = time.GetElapsedTime(_started);
        var left = new List<TimeSpan>();
        if (maxDuration > TimeSpan.Zero)
            left.Add(maxDuration - elapsed);
        if (maxSteps > 0 && step > _firstStep)
            left.Add(elapsed / (step - _firstStep + 1) * (maxSteps - step));
        var remaining = left.Count == 0 ? "no limit" : TimeLeft(left.Min()) + " left";
        statusLine.Update(string.Create(CultureInfo.InvariantCulture,
            $"step {step}{(maxSteps > 0 ? $"/{maxSteps}" : "")} | reward {reward:F3} | accuracy {accuracy:P1} | {tokensPerSecond:F0} tok/s | {remaining}"));
    }

    /// <summary>Days and all (a run of days has them), never negative.</summary>
    internal static string TimeLeft(TimeSpan left)
    {
        var clamped = left < TimeSpan.Zero ? TimeSpan.Zero : left;
        return clamped.ToString(clamped.Days > 0 ? @"d\d\ hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }

    private static double Metric(IReadOnlyDictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out var value) ? value : double.NaN;
}
