using R1Actors.Configuration;
using R1Actors.Evaluation;
using R1Actors.Policy;
using R1Actors.Policy.Settings;
using R1Actors.Rewards;
using R1Actors.Training.Weights;
using Serilog;

namespace R1Actors.Daemon;

/// <summary>
/// Held-out accuracy of the policy the learner holds now: a replica on the learner's device takes the latest
/// published weights and is evaluated with <see cref="PolicyEvaluator"/>; the figures are printed and logged
/// as an <c>Evaluation</c> event (<c>HeldOutAccuracy</c>, <c>PassAtK</c>) at the learner's step.
/// </summary>
public sealed class HeldOutEvaluation(R1Settings settings, ModelSettings model, IRewardFunction rewards, WeightStore weights, IReadOnlyList<Prompt> prompts)
{
    private static ILogger Log => Serilog.Log.ForContext<HeldOutEvaluation>();

    /// <summary>Evaluates the latest published weights.</summary>
    public Task<EvaluationResult> RunAsync(string label, long step, CancellationToken cancellationToken) =>
        RunAsync(weights.Acquire(), label, step, cancellationToken);

    /// <summary>Evaluates the weights <paramref name="lease"/> holds, and releases it once they are copied.</summary>
    public async Task<EvaluationResult> RunAsync(WeightLease lease, string label, long step, CancellationToken cancellationToken)
    {
        PolicyReplica replica;
        var version = lease.Version;
        using (lease)
        {
            replica = PolicyReplica.Load(model, settings.Tokenizer, settings.Training.Device, settings.Training.Lora);
            try
            {
                lease.Snapshot.Weights.CopyInto(replica.Model);
            }
            catch
            {
                replica.Dispose();
                throw;
            }
        }
        using (replica)
        {
            var e = settings.Eval;
            var result = await PolicyEvaluator.EvaluateAsync(replica, prompts, e.Samples, e.K, settings.Sampling.Options, rewards, e.Seed,
                e.PromptsPerBatch, cancellationToken).ConfigureAwait(false);
            Log.ForContext(EventKinds.Property, EventKinds.Evaluation)
                .ForContext("PassAtK", result.PassAtK.ToDictionary(kv => $"pass@{kv.Key}", kv => kv.Value), destructureObjects: true)
                .ForContext("Label", label)
                .ForContext("PolicyVersion", version)
                .Information("Held-out accuracy {label}: {HeldOutAccuracy:P1} over {Prompts} prompts x {Samples} samples at step {Step} (mean reward {HeldOutReward:F3}, {Seconds:F1}s)",
                    label, result.PassAt1, result.Prompts, result.SamplesPerPrompt, step, result.RewardMean, result.Seconds);
            return result;
        }
    }

    /// <summary>A hold on the weights published last, for an evaluation that starts later.</summary>
    public WeightLease HoldLatest() => weights.Acquire();

    public static void Compare(EvaluationResult before, EvaluationResult after) =>
        Log.ForContext(EventKinds.Property, EventKinds.Evaluation)
            .Information("Held-out accuracy went from {HeldOutAccuracyBefore:P1} to {HeldOutAccuracyAfter:P1}: {HeldOutGainPoints:+0.0;-0.0} points",
                before.PassAt1, after.PassAt1, (after.PassAt1 - before.PassAt1) * 100);
}
