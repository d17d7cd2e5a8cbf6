using System.Text.Json;
using System.Diagnostics;
using R1Actors.Policy.Model;
using R1Actors.Training.Advantages;
using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Optimization;
using static TorchSharp.torch;

namespace R1Actors.Bench.Benchmarks;

/// <summary>
/// <c>r1actors-bench learner</c>: full learner steps (forward, backward, AdamW, weight publication) on
/// synthetic scored groups, for the demo's tiny policy and a Qwen2.5-0.5B-shaped one, reported as trained
/// completion tokens/s and achieved model GFLOP/s against the matmul ceiling measured in the same run.
/// Weights are random: speed does not depend on their values.
/// </summary>
public static class LearnerBench
{
    /// <param name="ceilingSize">n of the n×n float32 matmul whose rate is the ceiling (the sampling bench's, by default).</param>
    public static void Run(IReadOnlyList<LearnerBenchCase> cases, int threads, TextWriter output, int ceilingSize = 1024)
    {
        set_num_threads(threads);
        var report = new BenchReport("learner", output);
        report.Fact("machine", "machine", $"{Environment.ProcessorCount} logical CPUs, libtorch threads {get_num_threads()}, float32");
        var ceiling = SamplingBenchmark.MatmulGflops(ceilingSize);
        report.Figure("matmul_ceiling_gflops", $"matmul ceiling (float32 {ceilingSize}×{ceilingSize}, best of 6)", ceiling, "GFLOP/s", "F1");
        foreach (var benchCase in cases)
            Measure(benchCase, ceiling, report);
        foreach (var lora in cases.Where(c => c.Lora is not null))
            Compare(lora, cases.FirstOrDefault(c => c.Lora is null && c.Name == lora.Name), report);
        report.Finish();
    }

    /// <summary>LoRA against full fine-tuning of the same model in the same run: what the adapter saves.</summary>
    private static void Compare(LearnerBenchCase lora, LearnerBenchCase? full, BenchReport report)
    {
        if (full is null)
            return;
        report.Section($"{lora.Name}: LoRA r {lora.Lora!.Rank} against full fine-tuning");
        report.Figure($"{lora.Key}_published_fraction", "bytes published per step, LoRA / full",
            report.Value($"{lora.Key}_published_mb") / report.Value($"{full.Key}_published_mb"), "", "P2");
        report.Figure($"{lora.Key}_peak_resident_ratio", "peak resident memory of the step, LoRA / full",
            report.Value($"{lora.Key}_peak_resident_mb") / report.Value($"{full.Key}_peak_resident_mb"), "", "P1");
        report.Figure($"{lora.Key}_step_time_ratio", "step time, LoRA / full",
            report.Value($"{lora.Key}_step_seconds") / report.Value($"{full.Key}_step_seconds"), "", "P1");
    }

    /// <summary>
    /// Resets the kernel's peak-resident mark (VmHWM) so that each case reports its own peak: writing 5 to
    /// /proc/self/clear_refs does that since Linux 4.0. False where it cannot, and the peak is the process's so far.
    /// </summary>
    private static bool ResetPeakResident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Measure(LearnerBenchCase c, double ceiling, BenchReport report)
    {
        report.Section($"{c.Name}{(c.Lora is { } l ? $" with LoRA r {l.Rank}, α {l.Alpha} on {string.Join(", ", l.TargetModules)}" : "")}: " +
                       $"{c.Config.NumHiddenLayers} layers, hidden {c.Config.HiddenSize}, vocab {c.Config.VocabSize}, " +
                       $"{c.Groups}×{c.GroupSize} completions of ≤{c.CompletionTokens} tokens after {c.PromptTokens}-token prompts");
        var ownPeak = ResetPeakResident();
        using var model = ModelInitializer.CreateRandom(c.Config, ScalarType.Float32, CPU, seed: 1);
        if (c.Lora is not null)
            model.AttachAdapter(c.Lora);
        var settings = new LearnerSettings(new GrpoAdvantages(), new KeepTruncated(), new TokenMeanAggregation(),
            new PolicyLossSettings(), new AdamWSettings(), new ConstantSchedule(1e-6, 0), new MicroBatchSettings(c.MicroBatchSize));
        using var learner = new Learner(model, settings);
        var batch = SyntheticBatch(c, new Random(1234));
        var rows = batch.Groups.SelectMany(g => g.Completions.Select(x => (g.PromptTokenIds.Count, x.Rollout.CompletionTokenIds.Count))).ToArray();
        var flops = LearnerBenchModels.StepFlops(c.Config, rows);

        learner.Train(batch);                                   // warm-up: allocations, first-touch of optimizer state
        var seconds = new List<double>();
        long tokens = 0;
        for (var step = 0; step < c.Steps; step++)
        {
            var clock = Stopwatch.StartNew();
            var result = learner.Train(batch);
            seconds.Add(clock.Elapsed.TotalSeconds);
            tokens = result.Metrics.TokensTrained;
        }
        var mean = seconds.Average();
        var gflops = flops / mean / 1e9;
        var key = c.Key;
        report.Figure($"{key}_parameters_millions", "parameters", c.Config.ParameterCount() / 1e6, "M");
        report.Figure($"{key}_step_seconds", $"learner step (mean of {c.Steps})", mean, "s", "F3");
        report.Figure($"{key}_tokens_per_second", "completion tokens trained per second", tokens / mean, "tok/s", "F0");
        report.Figure($"{key}_positions_per_second", "positions through the model per second (prompt + completion)",
            rows.Sum(r => r.Item1 + r.Item2 - 1) / mean, "tok/s", "F0");
        report.Figure($"{key}_gflops", "achieved model GFLOP/s (forward + backward)", gflops, "GFLOP/s", "F1");
        report.Figure($"{key}_fraction_of_ceiling", "fraction of the matmul ceiling", gflops / ceiling, "", "P1");
        report.Figure($"{key}_trained_parameters_millions", "trained parameters", learner.Optimizer.ElementCount / 1e6, "M", "F3");
        report.Figure($"{key}_published_mb", "weights published per step", learner.PublishedBytes / 1048576.0, "MiB", "F2");
        report.Figure($"{key}_peak_resident_mb", ownPeak ? "peak resident memory of this case (model, optimizer, activations, snapshot)" : "peak resident memory of the process so far",
            (Hosting.ProcessMemory.OfThisProcess()?.PeakResident ?? Process.GetCurrentProcess().PeakWorkingSet64) / 1048576.0, "MiB", "F0");
    }

    /// <summary>Random prompts and completions (a quarter of each group runs to the limit, as truncated), rewards 0/1.</summary>
    private static LearnerBatch SyntheticBatch(LearnerBenchCase c, Random random)
    {
        var vocab = c.Config.VocabSize;
        var groups = Enumerable.Range(0, c.Groups).Select(g =>
        {
            var issued = new IssuedPrompt(g, new PromptCursor(0, g), new Prompt($"synthetic-{g}", new TextPrompt(""), new TaskSpec(TaskKinds.Exact, new Dictionary<string, JsonElement>())));
            var prompt = Enumerable.Range(0, c.PromptTokens).Select(_ => random.Next(3, vocab)).ToArray();
            var completions = Enumerable.Range(0, c.GroupSize).Select(i =>
            {
                var full = i % 4 == 0;
                var length = full ? c.CompletionTokens : random.Next(c.CompletionTokens / 2, c.CompletionTokens + 1);
                var ids = Enumerable.Range(0, length).Select(_ => random.Next(3, vocab)).ToArray();
                var logProbs = ids.Select(_ => (float)(-1.0 - random.NextDouble())).ToArray();
                var rollout = new Rollout(issued, i, prompt, ids, "", logProbs, 0, full ? FinishReason.Length : FinishReason.Stop, "cpu");
                var reward = random.Next(2);
                return new ScoredRollout(rollout, new RewardOutcome(reward, new Dictionary<string, double> { [RewardComponents.Answer] = reward }, null), TimeSpan.Zero);
            }).ToArray();
            return new ScoredGroup(issued, completions);
        }).ToArray();
        return new LearnerBatch(0, 0, groups);
    }
}
