using System.Diagnostics;
using System.Text.Json;
using R1Actors.Configuration;
using R1Actors.Evaluation;
using R1Actors.Pipeline.Data;
using R1Actors.Policy;
using R1Actors.Policy.Settings;
using R1Actors.Rewards;
using Serilog;

namespace R1Actors.Daemon;

/// <summary>What the generation pass of offline rft sampled and kept.</summary>
/// <param name="Sampled">Completions sampled (prompts × group size): the pass's whole sample budget.</param>
/// <param name="Passed">Completions the verifier found correct, the traces.</param>
public sealed record GenerationSummary(int Prompts, int Sampled, int Passed, double Seconds);

/// <summary>
/// The generation pass of offline rejection-sampling fine-tuning: the first <c>r1.training.rft.offline-prompts</c>
/// prompts of the training stream (in the order the pipeline would issue them), <c>r1.pipeline.group-size</c>
/// completions each from the base model at the sampler's settings and seeds, judged by the verifiers; the
/// correct ones are written as the trace file <c>rft-offline/traces.jsonl</c>, then <c>generation.json</c>. A
/// pass that was killed before <c>generation.json</c> exists runs again from the start (its seeds make it the
/// same pass); one that finished is not repeated.
/// </summary>
public static class OfflineGeneration
{
    public const string Folder = "rft-offline";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string TracesPath(string runDirectory) => Path.Combine(runDirectory, Folder, "traces.jsonl");

    private static string SummaryPath(string runDirectory) => Path.Combine(runDirectory, Folder, "generation.json");

    /// <summary>The summary of a finished pass in the run folder, or null.</summary>
    public static GenerationSummary? Finished(string runDirectory) =>
        File.Exists(SummaryPath(runDirectory)) ? JsonSerializer.Deserialize<GenerationSummary>(File.ReadAllText(SummaryPath(runDirectory)), Json) : null;

    public static async Task<GenerationSummary> RunAsync(R1Settings s, ModelSettings model, IRewardFunction rewards, IPromptDataset training,
        string runDirectory, ILogger log, CancellationToken cancellationToken)
    {
        if (Finished(runDirectory) is { } done)
            return done;
        var watch = Stopwatch.StartNew();
        var stream = new PromptStream(training, s.Data.Shuffle, s.Data.Seed, s.Data.MaxEpochs);
        var issued = stream.From(new PromptCursor(0, 0), []).Take(s.Training.Objective.Rft.OfflinePrompts).ToArray();
        var prompts = issued.Select(p => p.Prompt).ToArray();
        var traces = new List<(string Prompt, string Completion)>();
        var sampled = 0;
        using (var replica = PolicyReplica.Load(model, s.Tokenizer, s.Training.Device))
        {
            await foreach (var sample in ScoredSampling.RunAsync(replica, prompts, i => issued[i].Ordinal, s.Pipeline.GroupSize, s.Pipeline.Seed, 0,
                               s.Sampling.Options, rewards, s.Pipeline.PromptsPerBatch, cancellationToken).ConfigureAwait(false))
            {
                sampled++;
                if (sample.Verdict.Correct)
                    traces.Add((Text(prompts[sample.PromptIndex]), sample.Completion.CompletionText));
            }
        }
        TraceFile.Write(TracesPath(runDirectory), traces);
        var summary = new GenerationSummary(prompts.Length, sampled, traces.Count, watch.Elapsed.TotalSeconds);
        File.WriteAllText(SummaryPath(runDirectory), JsonSerializer.Serialize(summary, Json));
        log.Information("Offline rft generation pass: {Prompts} prompts x {GroupSize} samples from the base model, {Passed} of {Sampled} verified correct ({PassedFraction:P1}), {Seconds:F1}s",
            summary.Prompts, s.Pipeline.GroupSize, summary.Passed, summary.Sampled, (double)summary.Passed / Math.Max(1, summary.Sampled), summary.Seconds);
        if (summary.Passed == 0)
            throw new SettingsException("r1.training.rft.offline-prompts",
                $"the base model answered none of {summary.Sampled} samples correctly: offline rft has nothing to learn from; sample more prompts or start from a stronger base");
        return summary;
    }

    private static string Text(Prompt prompt) => prompt.Content is TextPrompt text
        ? text.Text
        : throw new SettingsException("r1.training.rft.mode", $"prompt {prompt.Id} is a chat prompt; offline rft writes text traces and needs plain-text prompts (use online rft)");
}
