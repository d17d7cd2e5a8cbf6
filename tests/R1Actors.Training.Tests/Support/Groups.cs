using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using R1Actors.Training.Batches;
using R1Actors.Training.Learning;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Support;

internal static class Groups
{
    /// <summary>A completion with the given behaviour log-probs (default: log(0.5) per token).</summary>
    public static ScoredCompletion Completion(int[] ids, double reward, float[]? behaviour = null, bool truncated = false, long version = 0, bool correct = false) =>
        new(ids, behaviour ?? ids.Select(_ => MathF.Log(0.5f)).ToArray(), reward,
            truncated ? FinishReason.Length : FinishReason.Stop, version, correct);

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
        return new ScoredGroup(prompt, scored);
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
