using System.Text.Json;
using R1Actors.Pipeline;
using R1Actors.Pipeline.Data;
using R1Actors.Policy;
using R1Actors.Policy.Settings;
using R1Actors.Training.Configuration;
using R1Actors.Training.Learning;
using Serilog;
using Serilog.Core;
using Serilog.Core.Enrichers;

namespace R1Actors.Daemon;

/// <summary>One trace as the learner trains on it: prompt ids after the prompt format, completion ids with the end token.</summary>
public sealed record TokenizedTrace(string Location, IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds);

/// <summary>Where a supervised stage stands, saved as the "pipeline" part of its checkpoints.</summary>
/// <param name="Stage">Which stage wrote it (<c>sft</c>, <c>cold-start</c>, <c>rft-offline</c>).</param>
/// <param name="Traces">How many traces the stage trains on: a resume onto another trace file is refused.</param>
public sealed record SupervisedProgress(string Stage, long Step, int Traces, int BatchSize, ulong Seed);

/// <summary>
/// A supervised stage on the run's learner: <c>epochs</c> passes over the traces in batches of
/// <c>r1.training.sft.batch-size</c>, each epoch in its own shuffled order drawn from (run seed, epoch), one
/// optimizer step a batch with the cross-entropy objective (every trace counts as verified). Checkpoints every
/// <c>r1.pipeline.checkpoint-every</c> steps and at the end or on a stop request hold the step, so a resumed stage
/// takes the next batch exactly where the lost one would have been. Each step logs a <c>Step</c> event with the
/// learner's figures and the stage's name.
/// </summary>
public sealed class SupervisedStage(string name, TrainingSettings training, double samplingTemperature, long checkpointEvery, ulong seed, ILogger log, TimeProvider time)
{
    private static readonly JsonSerializerOptions ProgressJson = new(JsonSerializerDefaults.Web);

    /// <summary>Trains; returns the step and weights version the stage stopped at (the whole stage, unless <paramref name="stop"/> came first).</summary>
    public (long Step, long PolicyVersion) Run(string baseModelFolder, string runDirectory, IReadOnlyList<TokenizedTrace> traces, int epochs, CancellationToken stop)
    {
        var batchSize = training.Objective.Sft.BatchSize;
        using var session = LearnerSession.Open(training with { Objective = training.Objective with { Name = "sft" } },
            baseModelFolder, runDirectory, samplingTemperature, log, time);
        CheckResume(session, traces.Count, batchSize);
        var stepsPerEpoch = (traces.Count + batchSize - 1) / batchSize;
        var total = (long)epochs * stepsPerEpoch;
        var learner = session.Learner;
        if (learner.Step > 0)
            log.ForContext(EventKinds.Property, EventKinds.RunResumed)
                .Information("Resuming stage {Stage} from checkpoint {CheckpointPath} at step {Step} of {StageSteps}", name, session.ResumedFrom?.Path, learner.Step, total);
        log.Information("Stage {Stage}: {TraceCount} traces, {Epochs} epochs of {StepsPerEpoch} steps ({BatchSize} traces a step)", name, traces.Count, epochs, stepsPerEpoch, batchSize);
        var saved = learner.Step;
        int[] order = [];
        var orderEpoch = -1L;
        while (learner.Step < total && !stop.IsCancellationRequested)
        {
            var epoch = learner.Step / stepsPerEpoch;
            if (epoch != orderEpoch)
                (order, orderEpoch) = (Order(traces.Count, epoch), epoch);
            var start = (int)(learner.Step % stepsPerEpoch) * batchSize;
            var batch = order.Skip(start).Take(batchSize).Select(i => traces[i]).ToArray();
            var result = session.Train(new LearnerBatch(learner.Step, learner.PolicyVersion, [.. batch.Select(AsGroup)]));
            WriteStep(learner.Step, epoch, result);
            if (checkpointEvery > 0 && learner.Step % checkpointEvery == 0)
                saved = Save(session, traces.Count, batchSize);
        }
        if (saved != learner.Step)
            Save(session, traces.Count, batchSize);
        return (learner.Step, learner.PolicyVersion);
    }

    /// <summary>The number of steps the stage takes in all.</summary>
    public static long Steps(int traces, int batchSize, int epochs) => (long)epochs * ((traces + batchSize - 1) / batchSize);

    /// <summary>The order of the traces in <paramref name="epoch"/>: a Fisher-Yates shuffle seeded by (run seed, epoch).</summary>
    private int[] Order(int count, long epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new SplitMix64(Seeds.ForEpoch(seed, epoch));
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>A trace as a group of one verified-correct completion, sampled (nominally) by the current weights.</summary>
    private static ScoredGroup AsGroup(TokenizedTrace trace, int index)
    {
        var prompt = new IssuedPrompt(index, new PromptCursor(0, index), new Prompt(trace.Location, new TextPrompt(trace.Location), new TaskSpec(TaskKinds.Exact, new Dictionary<string, JsonElement>())));
        var rollout = new Rollout(prompt, 0, trace.PromptIds, trace.CompletionIds, "", new float[trace.CompletionIds.Count], 0, FinishReason.Stop, "trace");
        var verdict = new RewardOutcome(1.0, new Dictionary<string, double> { [RewardComponents.Answer] = 1.0 }, null);
        return new ScoredGroup(prompt, [new ScoredRollout(rollout, verdict, TimeSpan.Zero)]);
    }

    private long Save(LearnerSession session, int traces, int batchSize)
    {
        var progress = new SupervisedProgress(name, session.Learner.Step, traces, batchSize, seed);
        session.SaveCheckpoint(JsonSerializer.SerializeToElement(progress, ProgressJson));
        return session.Learner.Step;
    }

    /// <summary>A stage resumes only onto the traces and batch size it was trained with.</summary>
    private void CheckResume(LearnerSession session, int traces, int batchSize)
    {
        if (session.Resumed?.Pipeline is not { } saved)
            return;
        var progress = saved.Deserialize<SupervisedProgress>(ProgressJson);
        if (progress is null || progress.Stage != name || progress.Traces != traces || progress.BatchSize != batchSize || progress.Seed != seed)
            throw new SettingsException(TraceFile.Key,
                $"{session.ResumedFrom?.Path} was written by stage {progress?.Stage} over {progress?.Traces} traces in batches of {progress?.BatchSize} (seed {progress?.Seed}), " +
                $"but stage {name} now has {traces} traces in batches of {batchSize} (seed {seed}); set the trace file and r1.training.sft back, or start a new run with another --run-dir");
    }

    private void WriteStep(long step, long epoch, StepResult result)
    {
        var figures = result.Metrics.Figures();
        var properties = new List<ILogEventEnricher>
        {
            new PropertyEnricher(EventKinds.Property, EventKinds.Step),
            new PropertyEnricher("Stage", name),
            new PropertyEnricher("Epoch", epoch),
        };
        properties.AddRange(figures.Where(f => f.Key is not (MetricNames.Step or MetricNames.Loss)).Select(f => new PropertyEnricher(f.Key, f.Value)));
        if (result.SkipReason is { } skip)
            properties.Add(new PropertyEnricher(MetricNames.SkipReason, skip));
        log.ForContext(properties).Information("Step {Step} ({Stage}, epoch {Epoch}): loss {Loss:F4}", step, name, epoch, figures[MetricNames.Loss]);
    }

    /// <summary>
    /// The traces tokenized for the policy: the prompt through the configured prompt format (as the sampler
    /// writes it), the completion followed by the end token.
    /// </summary>
    public static IReadOnlyList<TokenizedTrace> Tokenize(IReadOnlyList<Trace> traces, ModelSettings model, TokenizerSettings tokenizer)
    {
        using var replica = PolicyReplica.Load(model, tokenizer, "cpu");
        var eos = replica.Tokenizer.EosTokenId ?? throw new SettingsException("r1.model.path", $"the tokenizer of {model.Path} has no end-of-sequence token to end a trace with");
        return [.. traces.Select(t => new TokenizedTrace(t.Location, replica.EncodePrompt(t.Prompt), [.. replica.Tokenizer.Encode(t.Completion), eos]))];
    }
}
