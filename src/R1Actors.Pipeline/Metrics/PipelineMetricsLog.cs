using Serilog;

namespace R1Actors.Pipeline.Metrics;

/// <summary>
/// Writes one step's pipeline figures as a single structured event with stable property names, at Debug: the
/// daemon folds the same figures into its one Step event per step.
/// </summary>
public static class PipelineMetricsLog
{
    public static void Write(ILogger log, PipelineMetrics m) =>
        log.Debug(
            "Pipeline step {Step} (v{PolicyVersion}): {StepSeconds:F3}s, {RolloutsPerSecond:F1} rollouts/s; least busy sampler {SamplerBusyMin:P0} of {@SamplerBusy}; " +
            "queues {@Queues}; {InFlightPrompts} prompts in flight; verifier p50/p90/p99 {VerifierLatencyP50Ms:F1}/{VerifierLatencyP90Ms:F1}/{VerifierLatencyP99Ms:F1} ms, " +
            "{VerifierFaults} faults; staleness {@StalenessHistogram}; dropped {DroppedRollouts} rollouts ({DroppedRolloutsTotal} in all); {DiscardedGroups} groups without signal left out; trained {RolloutsTrained}",
            m.Step, m.PolicyVersion, m.StepSeconds, m.RolloutsPerSecond, m.SamplerBusyMin, m.SamplerBusy,
            m.Queues, m.InFlightPrompts, m.VerifierLatencyP50Ms, m.VerifierLatencyP90Ms, m.VerifierLatencyP99Ms,
            m.VerifierFaults, m.StalenessHistogram, m.DroppedRollouts, m.DroppedRolloutsTotal, m.DiscardedGroups, m.RolloutsTrained);
}
