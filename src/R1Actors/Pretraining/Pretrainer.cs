using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Configuration;
using R1Actors.Evaluation;
using R1Actors.Pipeline.Data;
using R1Actors.Policy;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Sampling;
using R1Actors.Rewards;
using R1Actors.Training.Optimization;
using Serilog;
using static TorchSharp.torch;

namespace R1Actors.Pretraining;

/// <summary>What pretraining produced: where, after how many steps, and how good the base is.</summary>
public sealed record PretrainResult(string Folder, int Steps, double ValidationAccuracy, EvaluationResult HeldOut, bool ReachedTarget);

/// <summary>
/// Makes the demo's base policy: the built-in tiny character model (r1.model.tiny) trained by plain
/// supervised learning (cross-entropy on the reference answer, or on the worked solution of a task that has one)
/// on the training split of r1.data, and stopped
/// as soon as its sampled accuracy on a validation slice of the training split reaches the target — a weak
/// but not hopeless start, which is where RL from verifiable rewards shows its effect. Choices:
/// <list type="bullet">
/// <item>Validation problems are the first r1.pretrain.validation-prompts of the training split and are never
/// trained on; held-out problems are neither trained on nor used to stop — they are only reported.</item>
/// <item>Accuracy is measured the way RL will see it: sampled (r1.sampling), judged by the reward functions.</item>
/// </list>
/// </summary>
public sealed class Pretrainer(R1Settings settings, ILogger log)
{
    public async Task<PretrainResult> RunAsync(string outputFolder, CancellationToken cancellationToken)
    {
        var p = settings.Pretrain;
        if (settings.Model.Path.Length != 0)
            throw new SettingsException("r1.model.path", "pretrain", "pretraining makes the built-in tiny model; leave r1.model.path empty");
        var training = await PromptSources.LoadAsync(settings.Data, DataSplit.Training, log, cancellationToken).ConfigureAwait(false);
        var heldOut = await PromptSources.LoadAsync(settings.Data, DataSplit.HeldOut, log, cancellationToken).ConfigureAwait(false);
        if (training.Count <= p.ValidationPrompts)
            throw new SettingsException("r1.pretrain.validation-prompts", "pretrain",
                $"the training split holds {training.Count} problems; keep fewer than that for validation");
        var validation = Enumerable.Range(0, p.ValidationPrompts).Select(training.Get).ToArray();
        var heldOutPrompts = Enumerable.Range(0, heldOut.Count).Select(heldOut.Get).ToArray();
        await using var rewards = RewardDispatcher.Create(settings.Rewards);
        using var replica = PolicyReplica.Load(settings.Model, settings.Tokenizer, settings.Training.Device);
        using var optimizer = new AdamWOptimizer(replica.Model.named_parameters(), new AdamWSettings(MaxGradNorm: 1.0));
        var schedule = new ConstantSchedule(p.LearningRate, p.WarmupSteps);
        var random = new Random((int)(p.Seed % int.MaxValue));
        var options = settings.Sampling.Options;
        var watch = Stopwatch.StartNew();
        var accuracy = 0.0;
        var step = 0;
        while (step < p.MaxSteps && accuracy < p.TargetAccuracy)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var examples = Enumerable.Range(0, p.BatchSize).Select(_ => training.Get(random.Next(p.ValidationPrompts, training.Count))).ToArray();
            var loss = Step(replica, optimizer, schedule.LearningRate(step), examples);
            step++;
            if (step % p.EvalEvery != 0 && step != p.MaxSteps)
                continue;
            replica.Model.eval();
            var measured = await PolicyEvaluator.EvaluateAsync(replica, validation, 1, [1], options, rewards, (ulong)p.Seed, 128, cancellationToken).ConfigureAwait(false);
            accuracy = measured.PassAt1;
            log.Information("Pretrain step {Step} loss {Loss:F4} validation accuracy {ValidationAccuracy:P1} after {Seconds:F0}s",
                step, loss, accuracy, watch.Elapsed.TotalSeconds);
        }
        var held = await PolicyEvaluator.EvaluateAsync(replica, heldOutPrompts, 1, [1], options, rewards, settings.Eval.Seed, 128, cancellationToken).ConfigureAwait(false);
        Save(replica, outputFolder, step, accuracy, held);
        return new PretrainResult(outputFolder, step, accuracy, held, accuracy >= p.TargetAccuracy);
    }

    /// <summary>One supervised step: −mean log π(reference + EOS | prompt) over the answer tokens.</summary>
    private static double Step(PolicyReplica replica, AdamWOptimizer optimizer, double learningRate, IReadOnlyList<Prompt> examples)
    {
        var eos = replica.Tokenizer.EosTokenId ?? throw new InvalidOperationException("the tiny model's tokenizer has no end-of-sequence token");
        var prompts = examples.Select(e => replica.EncodePrompt(((TextPrompt)e.Content).Text)).ToArray();
        var answers = examples.Select(e => (IReadOnlyList<int>)[.. replica.Tokenizer.Encode(Reference(e)), eos]).ToArray();
        replica.Model.train();
        double value;
        using (var scope = NewDisposeScope())
        {
            using var promptBatch = TokenBatch.LeftPadded(prompts, replica.Tokenizer.PadTokenId, replica.Model.Device);
            using var answerBatch = TokenBatch.RightPadded(answers, replica.Tokenizer.PadTokenId, replica.Model.Device);
            using var scores = CompletionScorer.Score(replica.Model, promptBatch.Ids, promptBatch.Mask, answerBatch.Ids, answerBatch.Mask, withGrad: true);
            var mask = answerBatch.Mask.to(ScalarType.Float32);
            var loss = -(scores.LogProbs * mask).sum() / mask.sum();
            loss.backward();
            value = loss.item<float>();
        }
        optimizer.AccumulateGradients();
        optimizer.Step(learningRate, optimizer.ClipScale(optimizer.GradientNorm()));
        return value;
    }

    /// <summary>What the base learns to write: the worked solution (<c>trace</c>) where the task has one, else the reference.</summary>
    private static string Reference(Prompt prompt) =>
        prompt.Task.Fields.TryGetValue("trace", out var trace) && trace.ValueKind == JsonValueKind.String ? trace.GetString()!
        : prompt.Task.Fields.TryGetValue("reference", out var reference) && reference.ValueKind == JsonValueKind.String
            ? reference.GetString()!
            : throw new InvalidOperationException($"prompt {prompt.Id} has no text reference to pretrain on");

    private void Save(PolicyReplica replica, string folder, int steps, double validationAccuracy, EvaluationResult heldOut)
    {
        Directory.CreateDirectory(folder);
        ModelFolder.Save(replica.Model, folder);
        replica.SaveTokenizer(folder, null);
        var provenance = new JsonObject
        {
            ["made_by"] = "r1actors pretrain",
            ["steps"] = steps,
            ["batch_size"] = settings.Pretrain.BatchSize,
            ["lr"] = settings.Pretrain.LearningRate,
            ["seed"] = settings.Pretrain.Seed,
            ["target_accuracy"] = settings.Pretrain.TargetAccuracy,
            ["validation_accuracy"] = validationAccuracy,
            ["held_out_accuracy"] = heldOut.PassAt1,
            ["held_out_prompts"] = heldOut.Prompts,
            ["data_source"] = settings.Data.Source,
            ["data_seed"] = settings.Data.Seed,
        };
        File.WriteAllText(Path.Combine(folder, "pretrain.json"), provenance.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        log.Information("Base model written to {ModelFolder}: {Steps} steps, validation accuracy {ValidationAccuracy:P1}, held-out accuracy {HeldOutAccuracy:P1}",
            folder, steps, validationAccuracy, heldOut.PassAt1);
    }
}
