using Serilog;

namespace R1Actors.Pipeline.Metrics;

/// <summary>Writes one step's pipeline figures as a single structured event with stable property names.</summary>
public static class PipelineMetricsLog
{
    public static void Write(ILogger log, PipelineMetrics m) =>
        log.Information(
            "Pipeline step {Step} (v{PolicyVersion}) took {StepSeconds:F3}s: {RolloutsPerSecond:F1} rollouts/s, samplers busy {SamplerBusyMin:P0} at least {@SamplerBusy}, " +
            "queues {@Queues}, in flight {InFlightPrompts} prompts, verifier p50/p90/p99 {VerifierLatencyP50Ms:F1}/{VerifierLatencyP90Ms:F1}/{VerifierLatencyP99Ms:F1} ms " +
            "({VerifierFaults} faults), staleness {@Staleness}, dropped {DroppedRollouts} ({DroppedRolloutsTotal} in total), trained {RolloutsTrained} rollouts",
            m.Step, m.PolicyVersion, m.StepSeconds, m.RolloutsPerSecond, m.SamplerBusyMin, m.SamplerBusy,
            m.Queues, m.InFlightPrompts, m.VerifierLatencyP50Ms, m.VerifierLatencyP90Ms, m.VerifierLatencyP99Ms,
            m.VerifierFaults, m.Staleness, m.DroppedRollouts, m.DroppedRolloutsTotal, m.RolloutsTrained);
}
