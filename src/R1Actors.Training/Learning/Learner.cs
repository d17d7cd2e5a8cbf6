using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using TorchSharp;
using R1Actors.Training.Loss;
using R1Actors.Training.Objectives;
using R1Actors.Training.Configuration;
using R1Actors.Training.Optimization;
using R1Actors.Training.Weights;
using Serilog;
using static TorchSharp.torch;

namespace R1Actors.Training.Learning;

/// <summary>What one call to <see cref="Learner.Train"/> did.</summary>
/// <param name="Applied">True when the weights were updated and a new version published.</param>
/// <param name="SkipReason">Why the step was skipped (non-finite loss or gradient, nothing to train on); null when applied.</param>
public sealed record StepResult(bool Applied, string? SkipReason, StepMetrics Metrics);

/// <summary>The forward/backward half of a step: what was sampled, the loss sums, and why to skip (or null).</summary>
internal sealed record BackwardPass(RolloutStatistics Rollouts, LossTotals Totals, int MicroBatches, string? Failure, double PaddingFraction = 0);

/// <summary>
/// Owns the trainable policy, its optimizer and (when the KL penalty is on) the frozen reference. One call to
/// <see cref="Train"/> is one optimizer step over one batch of scored groups: advantages, the loss summed over
/// micro-batches with gradient accumulation, clipping, AdamW, then the new weights are published to
/// <see cref="Weights"/> as version v + 1. A non-finite loss or gradient, or a batch that cannot change the
/// policy (every completion masked, every advantage zero), skips the update with a logged reason and leaves
/// weights, moments and version untouched. An exception (bad input, out of memory) also leaves them
/// untouched and forgets any partial gradient, so the same batch can be retried.
/// Not thread-safe: call it from one thread (the learner actor's pinned dispatcher); samplers read
/// weights through <see cref="Weights"/> from any thread.
/// </summary>
public sealed class Learner : IDisposable
{
    private readonly ICausalLanguageModel _policy;
    private readonly ICausalLanguageModel? _reference;
    private readonly LearnerSettings _settings;
    private readonly ITrainingObjective _objective;
    private readonly BatchPreparation _preparation;
    private readonly AdamWOptimizer _optimizer;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Device _device;

    /// <param name="policy">The model to train; its parameters' device and dtype are the learner's.</param>
    /// <param name="settings">The algorithm.</param>
    /// <param name="reference">Frozen reference for the KL penalty; required when kl-beta &gt; 0, otherwise only reported on.</param>
    /// <param name="log">Where skipped steps are reported.</param>
    /// <param name="time">Clock for step timings.</param>
    public Learner(ICausalLanguageModel policy, LearnerSettings settings, ICausalLanguageModel? reference = null, ILogger? log = null, TimeProvider? time = null)
    {
        settings.MicroBatches.Validate();
        _objective = TrainingStrategies.Objective(settings);
        if (settings.Loss.UsesReference && reference is null)
            throw new ArgumentException("r1.training.algorithm.kl-beta > 0 needs a frozen reference model", nameof(reference));
        _policy = policy;
        _reference = reference;
        _settings = settings;
        _preparation = new BatchPreparation(_objective, settings.Truncation, settings.Aggregation);
        _optimizer = new AdamWOptimizer(policy.TrainableParameters(), settings.Optimizer);
        _log = log ?? Serilog.Core.Logger.None;
        _time = time ?? TimeProvider.System;
        _device = policy.Module.parameters().First().device;
        History = new MetricHistory(settings.MetricHistory);
        if (reference is not null)
        {
            reference.Module.eval();
            foreach (var parameter in reference.Module.parameters())
                parameter.requires_grad = false;
        }
    }

    public ICausalLanguageModel Policy => _policy;

    public LearnerSettings Settings => _settings;

    public AdamWOptimizer Optimizer => _optimizer;

    /// <summary>Where each new version is published for the samplers.</summary>
    public WeightStore Weights { get; } = new();

    /// <summary>The metrics of recent steps, saved with checkpoints.</summary>
    public MetricHistory History { get; }

    /// <summary>Steps taken, skipped ones included.</summary>
    public long Step { get; private set; }

    /// <summary>The version of the current weights: the number of updates applied since the run began.</summary>
    public long PolicyVersion { get; private set; }

    /// <summary>Completion tokens trained on since the run began.</summary>
    public long TotalTokensTrained { get; private set; }

    /// <summary>Publishes the current weights under <see cref="PolicyVersion"/> (at start-up and after a resume).</summary>
    public void PublishCurrent() => Publish();

    /// <summary>Bytes the last publication copied: every weight, or with LoRA the adapter alone.</summary>
    public long PublishedBytes { get; private set; }

    private void Publish()
    {
        var weights = _policy.PublishedWeights();
        PublishedBytes = weights.ByteSize;
        Weights.Publish(weights, PolicyVersion);
    }

    /// <summary>Restores the counters of a resumed run (the tensors are restored by the checkpoint reader).</summary>
    internal void RestoreCounters(long step, long policyVersion, long totalTokensTrained)
    {
        Step = step;
        PolicyVersion = policyVersion;
        TotalTokensTrained = totalTokensTrained;
    }

    /// <summary>One optimizer step over <paramref name="batch"/>.</summary>
    public StepResult Train(LearnerBatch batch)
    {
        var started = _time.GetTimestamp();
        BackwardPass pass;
        string? failure;
        var gradNorm = double.NaN;
        try
        {
            pass = Backward(batch);
            failure = pass.Failure;
            if (failure is null)
            {
                gradNorm = _optimizer.GradientNorm();
                if (!double.IsFinite(gradNorm))
                    failure = $"gradient norm is {gradNorm}";
            }
        }
        catch
        {
            _optimizer.ZeroGradients();          // a failed pass leaves nothing behind: the same batch can be retried
            throw;
        }
        // From here the step counts: an update that is applied but cannot be published (out of memory for the
        // snapshot) leaves the counters saying so, and a retry of the same batch is refused by its version check.
        Step++;
        var learningRate = _settings.Schedule.LearningRate(_optimizer.StepsApplied);
        if (failure is null)
        {
            _optimizer.Step(learningRate, _optimizer.ClipScale(gradNorm));
            PolicyVersion++;
            TotalTokensTrained += (long)pass.Totals.Tokens;
            Publish();
        }
        else
        {
            _optimizer.ZeroGradients();
            _log.Warning("Learner step {Step} skipped: {SkipReason}; weights stay at version {PolicyVersion}", Step, failure, PolicyVersion);
        }
        var metrics = Metrics(pass, failure is null, gradNorm, learningRate, _time.GetElapsedTime(started));
        History.Add(metrics.Figures());
        return new StepResult(failure is null, failure, metrics);
    }

    /// <summary>
    /// Computes the step's loss and accumulates its gradient in the optimizer, without updating anything.
    /// <see cref="Train"/> is this plus the update; tests use it to read the exact gradient.
    /// </summary>
    internal BackwardPass Backward(LearnerBatch batch)
    {
        var prepared = _preparation.Prepare(batch, PolicyVersion);
        var microBatches = MicroBatchPlanner.Plan(prepared.Samples, _settings.MicroBatches);
        var totals = new LossTotals();
        _policy.Module.train();
        var failure = NothingToLearn(prepared) ?? RunMicroBatches(microBatches, totals);
        return new BackwardPass(prepared.Rollouts, totals, microBatches.Count, failure, MicroBatchPlanner.PaddingFraction(microBatches, _settings.MicroBatches));
    }

    /// <summary>
    /// Why the batch cannot change the policy, or null: every completion masked, or every advantage zero (all
    /// groups zero-signal) with no KL or entropy term — the gradient would be exactly zero, so the forward and
    /// backward passes are not run and AdamW's momentum does not move the weights on its own.
    /// </summary>
    private string? NothingToLearn(PreparedBatch prepared)
    {
        if (prepared.Rollouts.Groups == 0)
            return $"the samplers refused every prompt of the batch ({prepared.Rollouts.RefusedGroups}): none left room in the KV cache for a completion";
        if (prepared.Samples.Count == 0)
            return _objective.NothingKeptReason;
        if (prepared.Samples.All(s => s.Advantage == 0.0) && !_settings.Loss.UsesReference && _settings.Loss.EntropyCoefficient == 0.0)
            return "no group carried a reward signal (every advantage is zero)";
        return null;
    }

    /// <summary>Forward and backward over each micro-batch; returns why the step must be skipped, or null.</summary>
    private string? RunMicroBatches(IReadOnlyList<IReadOnlyList<TrainingSample>> microBatches, LossTotals totals)
    {
        for (var i = 0; i < microBatches.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var batch = MicroBatchCollator.Collate(microBatches[i], _device);
            var scores = Score(_policy, batch, microBatches[i], withGrad: true);
            Tensor? referenceLogProbs = null;
            if (_reference is not null)
                referenceLogProbs = Score(_reference, batch, microBatches[i], withGrad: false).LogProbs;
            var tokens = new LossInputs(scores.LogProbs, batch.BehaviourLogProbs, batch.Advantages, batch.TokenWeights, batch.Mask, referenceLogProbs, scores.Entropy);
            var (loss, statistics) = _objective.Compute(tokens);
            var value = loss.ToDouble();
            if (!double.IsFinite(value))
                return $"loss is {value} in micro-batch {i + 1} of {microBatches.Count}";
            loss.backward();
            _optimizer.AccumulateGradients();
            totals.Add(value, statistics);
        }
        return null;
    }

    /// <summary>log π(token) and entropy per completion token, (B, C), at the sampler's temperature: padded, or packed.</summary>
    private CompletionScores Score(ICausalLanguageModel model, CollatedBatch batch, IReadOnlyList<TrainingSample> samples, bool withGrad) =>
        _settings.MicroBatches.Packed
            ? CompletionScorer.ScorePacked(model, [.. samples.Select(s => s.PromptIds)], [.. samples.Select(s => s.CompletionIds)], _device,
                _settings.Temperature, withGrad)
            : CompletionScorer.Score(model, batch.Prompts.Ids, batch.Prompts.Mask, batch.Completions.Ids, batch.Completions.Mask,
                _settings.Temperature, withGrad);

    private StepMetrics Metrics(BackwardPass pass, bool applied, double gradNorm, double learningRate, TimeSpan elapsed)
    {
        var (rollouts, totals) = (pass.Rollouts, pass.Totals);
        var groupsSeen = rollouts.Groups + rollouts.DiscardedZeroSignalGroups;
        return new StepMetrics
        {
            Step = Step,
            PolicyVersion = PolicyVersion,
            Applied = applied,
            Loss = totals.Loss,
            GradNorm = gradNorm,
            LearningRate = learningRate,
            Kl = totals.Kl,
            KlReference = _reference is null ? null : totals.ReferenceKl,
            Entropy = totals.Entropy,
            ImportanceRatioMean = totals.RatioMean,
            ClipRatioLowMean = totals.ClipRatioLow,
            ClipRatioHighMean = totals.ClipRatioHigh,
            RewardMean = rollouts.RewardMean,
            RewardStd = rollouts.RewardStd,
            Accuracy = rollouts.Accuracy,
            FracRewardZeroStd = groupsSeen == 0 ? 0 : (double)(rollouts.ZeroSignalGroups + rollouts.DiscardedZeroSignalGroups) / groupsSeen,
            AdvantagesAbsMean = rollouts.AdvantageAbsMean,
            CompletionLengthMean = rollouts.LengthMean,
            CompletionLengthMax = rollouts.LengthMax,
            CompletionLengthMin = rollouts.LengthMin,
            CompletionsClippedRatio = rollouts.TruncatedFraction,
            Groups = rollouts.Groups,
            Completions = rollouts.Completions,
            Staleness = rollouts.Staleness,
            StalenessMax = rollouts.StalenessMax,
            NumTokens = (long)totals.Tokens,
            NumTokensTotal = TotalTokensTrained,
            MicroBatches = pass.MicroBatches,
            StepSeconds = elapsed.TotalSeconds,
            PublishedBytes = applied ? PublishedBytes : 0,
            PaddingFraction = pass.PaddingFraction,
            RefusedPrompts = rollouts.RefusedGroups,
        };
    }

    public void Dispose()
    {
        Weights.Dispose();
        _optimizer.Dispose();
    }
}
