using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using System.Text.Json;
using R1Actors.Training.Learning;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Support;

internal static class Groups
{
    private static readonly IssuedPrompt Question =
        new(0, new PromptCursor(0, 0), new Prompt("q", new TextPrompt("q"), new TaskSpec(TaskKinds.Exact, new Dictionary<string, JsonElement>())));

    /// <summary>
    /// A completion with the given behaviour log-probs (default: log(0.5) per token); <see cref="Of"/> puts it
    /// under its prompt.
    /// </summary>
    public static ScoredRollout Completion(int[] ids, double reward, float[]? behaviour = null, bool truncated = false, long version = 0, bool correct = false)
    {
        var rollout = new Rollout(Question, 0, [], ids, "", behaviour ?? ids.Select(_ => MathF.Log(0.5f)).ToArray(), version,
            truncated ? FinishReason.Length : FinishReason.Stop, "cpu");
        var components = new Dictionary<string, double> { [RewardComponents.Answer] = correct ? 1.0 : 0.0 };
        return new ScoredRollout(rollout, new RewardOutcome(reward, components, null), TimeSpan.Zero);
    }

    /// <summary>The G empty, 0-scored completions of a prompt a sampler refused (no room in its KV cache).</summary>
    public static ScoredGroup Refused(int[] promptIds, int samples) => Of(promptIds, [.. Enumerable.Range(0, samples).Select(_ =>
        new ScoredRollout(new Rollout(Question, 0, [], [], "", [], 0, FinishReason.Refused, "cpu"),
            new RewardOutcome(0, new Dictionary<string, double>(), "no answer"), TimeSpan.Zero))]);

    /// <summary>The group of <paramref name="completions"/> sampled for the prompt <paramref name="promptIds"/>.</summary>
    public static ScoredGroup Of(int[] promptIds, IReadOnlyList<ScoredRollout> completions) =>
        new(Question, [.. completions.Select((c, i) => c with { Rollout = c.Rollout with { PromptTokenIds = promptIds, SampleIndex = i } })]);

    /// <summary>A learner batch of <paramref name="groups"/> (the learner reads neither its step nor its version).</summary>
    public static LearnerBatch Batch(IReadOnlyList<ScoredGroup> groups, int discardedGroups = 0) => new(0, 0, groups, discardedGroups);

    /// <summary>
    /// A group whose behaviour log-probs are the model's own teacher-forced log-probs: sampled with exactly
    /// the current weights, so every importance ratio is 1.
    /// </summary>
    public static ScoredGroup OnPolicy(ICausalLanguageModel model, int[] prompt, params (int[] Ids, double Reward)[] completions) =>
        OnPolicyAt(1.0, model, prompt, completions);

    /// <summary>As <see cref="OnPolicy"/>, with behaviour log-probs of softmax(logits / <paramref name="temperature"/>).</summary>
    public static ScoredGroup OnPolicyAt(double temperature, ICausalLanguageModel model, int[] prompt, params (int[] Ids, double Reward)[] completions)
    {
        var scored = completions
            .Select(c => Completion(c.Ids, c.Reward, LogProbs(model, prompt, c.Ids, temperature)))
            .ToArray();
        return Of(prompt, scored);
    }

    /// <summary>log π(completion token | prefix) under the model, through the learner's own collation and the policy's scorer.</summary>
    public static float[] LogProbs(ICausalLanguageModel model, int[] prompt, int[] completion, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var sample = new TrainingSample(prompt, completion, new float[completion.Length], 0.0, 1.0);
        using var batch = MicroBatchCollator.Collate([sample], model.Module.parameters().First().device);
        using var scores = CompletionScorer.Score(model, batch.Prompts.Ids, batch.Prompts.Mask, batch.Completions.Ids, batch.Completions.Mask, temperature);
        return scores.LogProbs.data<float>().ToArray();
    }
}
