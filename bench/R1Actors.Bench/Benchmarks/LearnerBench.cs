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
        {
            if (benchCase.Packed && cases.Any(c => Twins(c, benchCase)))
                continue;                                       // measured in turn with its padded twin
            if (cases.FirstOrDefault(c => Twins(benchCase, c)) is { } packedTwin)
                MeasurePair(benchCase, packedTwin, ceiling, report);
            else
                Measure(benchCase, ceiling, report);
        }
        foreach (var lora in cases.Where(c => c.Lora is not null))
            Compare(lora, cases.FirstOrDefault(c => c.Lora is null && !c.LongTail && c.Name == lora.Name), report);
        foreach (var packed in cases.Where(c => c.Packed))
            ComparePacking(packed, cases.FirstOrDefault(c => Twins(c, packed)), report);
        report.Finish();
    }

    /// <summary>True when <paramref name="packed"/> is <paramref name="padded"/>'s packed twin: the same case but the layout.</summary>
    private static bool Twins(LearnerBenchCase padded, LearnerBenchCase packed) =>
        padded.LongTail && !padded.Packed && packed.Packed && padded == packed with { Packed = false };

    /// <summary>Packed against padded passes on the same long-tailed lengths and the same token budget per pass.</summary>
    private static void ComparePacking(LearnerBenchCase packed, LearnerBenchCase? padded, BenchReport report)
    {
        if (padded is null)
            return;
        report.Section($"{packed.Name}: packed against padded passes, same long-tailed lengths, {packed.MicroBatchTokens} tokens a pass");
        report.Figure($"{packed.Key}_speedup", "completion tokens/s, packed / padded",
            report.Value($"{packed.Key}_tokens_per_second") / report.Value($"{padded.Key}_tokens_per_second"), "×", "F2");
        report.Figure($"{packed.Key}_step_time_ratio", "step time, packed / padded",
            report.Value($"{packed.Key}_step_seconds") / report.Value($"{padded.Key}_step_seconds"), "", "P1");
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
        var ownPeak = ResetPeakResident();
        using var run = new CaseRun(c);
        run.Warm();
        for (var step = 0; step < c.Steps; step++)
            run.Step();
        run.Report(ceiling, report, ownPeak ? "peak resident memory of this case (model, optimizer, activations, snapshot)" : "peak resident memory of the process so far");
    }

    /// <summary>
    /// A padded case and its packed twin, stepped in turn (padded, packed, packed, padded, …) so that a machine
    /// whose speed drifts, or that other work shares, slows both alike; their peak memory is the pair's.
    /// </summary>
    private static void MeasurePair(LearnerBenchCase padded, LearnerBenchCase packed, double ceiling, BenchReport report)
    {
        var ownPeak = ResetPeakResident();
        using var first = new CaseRun(padded);
        using var second = new CaseRun(packed);
        first.Warm();
        second.Warm();
        for (var step = 0; step < Math.Max(padded.Steps, packed.Steps); step++)
        {
            var (a, b) = step % 2 == 0 ? (first, second) : (second, first);
            a.Step();
            b.Step();
        }
        var peak = ownPeak ? "peak resident memory of the padded and packed cases together" : "peak resident memory of the process so far";
        first.Report(ceiling, report, peak);
        second.Report(ceiling, report, peak);
    }

    /// <summary>One case's model, learner and synthetic batch, and the timings of its measured steps.</summary>
    private sealed class CaseRun : IDisposable
    {
        private readonly LearnerBenchCase c;
        private readonly CausalLanguageModel model;
        private readonly Learner learner;
        private readonly LearnerBatch batch;
        private readonly (int Prompt, int Completion)[] rows;
        private readonly List<double> seconds = [];
        private StepMetrics? last;

        public CaseRun(LearnerBenchCase c)
        {
            this.c = c;
            model = ModelInitializer.CreateRandom(c.Config, ScalarType.Float32, CPU, seed: 1);
            if (c.Lora is not null)
                model.AttachAdapter(c.Lora);
            var settings = new LearnerSettings(new GrpoAdvantages(), new KeepTruncated(), new TokenMeanAggregation(),
                new PolicyLossSettings(), new AdamWSettings(), new ConstantSchedule(1e-6, 0), new MicroBatchSettings(c.MicroBatchSize, c.MicroBatchTokens, c.Packed));
            learner = new Learner(model, settings);
            batch = SyntheticBatch(c, new Random(1234));
            rows = [.. batch.Groups.SelectMany(g => g.Completions.Select(x => (g.PromptTokenIds.Count, x.Rollout.CompletionTokenIds.Count)))];
        }

        /// <summary>An unmeasured step: allocations, first touch of the optimizer state.</summary>
        public void Warm() => learner.Train(batch);

        public void Step()
        {
            var clock = Stopwatch.StartNew();
            var result = learner.Train(batch);
            seconds.Add(clock.Elapsed.TotalSeconds);
            if (!result.Applied)
                throw new InvalidOperationException($"{c.Name}: the measured step was skipped ({result.SkipReason}), so it did not do the work it is timed for");
            last = result.Metrics;
        }

        public void Report(double ceiling, BenchReport report, string peakLabel)
        {
            report.Section($"{c.Name}{(c.Lora is { } l ? $" with LoRA r {l.Rank}, α {l.Alpha} on {string.Join(", ", l.TargetModules)}" : "")}" +
                           $"{(c.LongTail ? c.Packed ? ", packed" : ", padded" : "")}: " +
                           $"{c.Config.NumHiddenLayers} layers, hidden {c.Config.HiddenSize}, vocab {c.Config.VocabSize}, " +
                           $"{c.Groups}×{c.GroupSize} completions of ≤{c.CompletionTokens} tokens after {c.PromptTokens}-token prompts");
            var mean = seconds.Average();
            var gflops = LearnerBenchModels.StepFlops(c.Config, rows) / mean / 1e9;
            var key = c.Key;
            report.Figure($"{key}_parameters_millions", "parameters", c.Config.ParameterCount() / 1e6, "M");
            report.Figure($"{key}_step_seconds", $"learner step (mean of {seconds.Count})", mean, "s", "F3");
            report.Figure($"{key}_tokens_per_second", "completion tokens trained per second", last!.TokensTrained / mean, "tok/s", "F0");
            report.Figure($"{key}_positions_per_second", "positions through the model per second (prompt + completion)",
                rows.Sum(r => r.Prompt + r.Completion - 1) / mean, "tok/s", "F0");
            report.Figure($"{key}_gflops", "achieved model GFLOP/s (forward + backward)", gflops, "GFLOP/s", "F1");
            report.Figure($"{key}_fraction_of_ceiling", "fraction of the matmul ceiling", gflops / ceiling, "", "P1");
            report.Figure($"{key}_trained_parameters_millions", "trained parameters", learner.Optimizer.ElementCount / 1e6, "M", "F3");
            report.Figure($"{key}_published_mb", "weights published per step", learner.PublishedBytes / 1048576.0, "MiB", "F2");
            if (c.LongTail)
            {
                report.Figure($"{key}_padding_fraction", "share of the positions fed that were padding", last.PaddingFraction, "", "P1");
                report.Figure($"{key}_micro_batches", "passes per step", last.MicroBatches, "");
                report.Figure($"{key}_completion_tokens", "completion tokens per step (lognormal, median 64, p99 1,000)", last.TokensTrained, "");
            }
            report.Figure($"{key}_peak_resident_mb", peakLabel,
                (Hosting.ProcessMemory.OfThisProcess()?.PeakResident ?? Process.GetCurrentProcess().PeakWorkingSet64) / 1048576.0, "MiB", "F0");
        }

        public void Dispose()
        {
            learner.Dispose();
            model.Dispose();
        }
    }

    /// <summary>
    /// Random prompts and completions, rewards 0/1: a quarter of each group runs to the limit (as truncated) and the
    /// rest spread over half to full; or, for a long-tail case, lognormal lengths (truncated where capped).
    /// </summary>
    private static LearnerBatch SyntheticBatch(LearnerBenchCase c, Random random)
    {
        var vocab = c.Config.VocabSize;
        var groups = Enumerable.Range(0, c.Groups).Select(g =>
        {
            var issued = new IssuedPrompt(g, new PromptCursor(0, g), new Prompt($"synthetic-{g}", new TextPrompt(""), new TaskSpec(TaskKinds.Exact, new Dictionary<string, JsonElement>())));
            var prompt = Enumerable.Range(0, c.PromptTokens).Select(_ => random.Next(3, vocab)).ToArray();
            var completions = Enumerable.Range(0, c.GroupSize).Select(i =>
            {
                var length = c.LongTail ? LearnerBenchModels.LongTailLength(random, c.CompletionTokens)
                    : i % 4 == 0 ? c.CompletionTokens : random.Next(c.CompletionTokens / 2, c.CompletionTokens + 1);
                var full = length == c.CompletionTokens;
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
