using System.Diagnostics;
using R1Actors.Configuration;
using R1Actors.Evaluation;
using R1Actors.Policy;
using R1Actors.Rewards;

namespace R1Actors.Comparison;

/// <summary>What one held-out measurement of a model found.</summary>
/// <param name="PassAtK">pass@k for k = 1 … n (index k − 1), the unbiased estimator over n samples a prompt.</param>
/// <param name="Entropy">Mean −log π(token) over the sampled completion tokens: a Monte Carlo estimate of the policy's per-token entropy at the sampling temperature.</param>
/// <param name="LengthMean">Mean completion length in tokens (the stop token included).</param>
public sealed record ProbeResult(int Prompts, int Samples, double[] PassAtK, double Entropy, double LengthMean, double Seconds);

/// <summary>
/// Measures a model folder on the held-out split the way <c>r1actors eval</c> does (seeds from r1.eval.seed,
/// the sampler's settings, the verifiers' verdict on the answer) with <c>r1.compare.eval-samples</c> samples
/// a prompt, and keeps what a comparison charts: pass@k for every k, entropy and response length.
/// </summary>
public sealed class HeldOutProbe(R1Settings settings, IReadOnlyList<Prompt> prompts, IRewardFunction rewards)
{
    public async Task<ProbeResult> MeasureAsync(string modelFolder, CancellationToken cancellationToken)
    {
        var n = settings.Compare.EvalSamples;
        var watch = Stopwatch.StartNew();
        var correct = new int[prompts.Count];
        double negativeLogProbs = 0, tokens = 0, completions = 0;
        using (var replica = PolicyReplica.Load(settings.Model with { Path = modelFolder }, settings.Tokenizer, settings.Training.Device))
        {
            await foreach (var sample in ScoredSampling.RunAsync(replica, prompts, i => i, n, settings.Eval.Seed, 0, settings.Sampling.Options, rewards,
                               settings.Eval.PromptsPerBatch, cancellationToken).ConfigureAwait(false))
            {
                if (sample.Verdict.Correct)
                    correct[sample.PromptIndex]++;
                foreach (var logProb in sample.Completion.LogProbs)
                    negativeLogProbs -= logProb;
                tokens += sample.Completion.CompletionTokenIds.Count;
                completions++;
            }
        }
        var counts = correct.Select(c => (n, c)).ToArray();
        var passAtK = Enumerable.Range(1, n).Select(k => PassAtK.Mean(counts, k)).ToArray();
        return new ProbeResult(prompts.Count, n, passAtK, tokens == 0 ? 0 : negativeLogProbs / tokens, tokens / Math.Max(1, completions), watch.Elapsed.TotalSeconds);
    }
}
