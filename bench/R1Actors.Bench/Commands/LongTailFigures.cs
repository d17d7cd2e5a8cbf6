using R1Actors.Bench.Benchmarks;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Bench.Commands;

/// <summary>
/// The long-tailed section of <c>r1actors-bench sampling</c>: the demo-shaped tiny model, 8 samples per prompt,
/// 24-token prompts, lengths lognormal (median 64, p99 1,024, capped at 1,024 new tokens), 32 rows of cache
/// for both modes. Occupancy is mean active rows ÷ 32 over decode steps.
/// </summary>
internal static class LongTailFigures
{
    public static void Run(BenchReport report, int groups)
    {
        var workload = new LongTailBenchmark.Workload(groups, SamplesPerPrompt: 8, PromptLength: 24, MaxNewTokens: 1024, Rows: 32);
        var (model, _) = TinyModels.Create(SamplingBenchmark.DemoShape with { MaxPositions = 2048 }, CPU, ScalarType.Float32);
        using (model)
        {
            var lengths = LongTailBenchmark.DrawLengths(workload);
            var all = lengths.SelectMany(l => l).Order().ToArray();
            report.Section($"Long-tailed workload: {groups} prompts x {workload.SamplesPerPrompt} samples, {workload.PromptLength}-token prompts, "
                + $"lengths lognormal (median {workload.MedianLength}, p99 {workload.P99Length}) capped at {workload.MaxNewTokens}; {workload.Rows} rows of cache in both modes");
            report.Figure("long_tail_median_length", "drawn lengths: median", all[all.Length / 2], "tokens", "F0");
            report.Figure("long_tail_p99_length", "drawn lengths: p99", all[(int)(all.Length * 0.99)], "tokens", "F0");
            report.Figure("long_tail_max_length", "drawn lengths: longest", all[^1], "tokens", "F0");
            // Warm both paths up on a few groups so that neither pays first-call costs in its timing.
            var warmup = workload with { Groups = 4, MaxNewTokens = 64 };
            var warmLengths = LongTailBenchmark.DrawLengths(warmup);
            LongTailBenchmark.RunStatic(model, warmup, warmLengths);
            LongTailBenchmark.RunContinuous(model, warmup, warmLengths);
            var staticRun = LongTailBenchmark.RunStatic(model, workload, lengths);
            var continuous = LongTailBenchmark.RunContinuous(model, workload, lengths);
            foreach (var run in new[] { staticRun, continuous })
            {
                report.Figure($"{run.Mode}_occupancy_percent", $"{run.Mode}: occupancy (active rows / rows, over decode steps)", run.Occupancy * 100, "%", "F1");
                report.Figure($"{run.Mode}_tokens_per_s", $"{run.Mode}: generated tokens/s", run.TokensPerSecond, "tokens/s", "F0");
                report.Figure($"{run.Mode}_seconds", $"{run.Mode}: time to finish every group", run.Seconds, "s", "F2");
                report.Figure($"{run.Mode}_decode_steps", $"{run.Mode}: decode steps", run.DecodeSteps, "", "F0");
                report.Figure($"{run.Mode}_cache_mib", $"{run.Mode}: KV cache", run.CacheBytes / 1048576.0, "MiB", "F1");
            }
            var stats = continuous.Stats!;
            report.Figure("continuous_occupancy_before_drain_percent", "continuous: occupancy until the last group was queued (no drain)",
                continuous.BeforeDrain!.Occupancy * 100, "%", "F1");
            report.Figure("continuous_drain_steps_percent", "continuous: decode steps spent draining the last rows",
                (stats.DecodeSteps - continuous.BeforeDrain.DecodeSteps) * 100.0 / stats.DecodeSteps, "%", "F1");
            var total = continuous.Seconds;
            report.Figure("continuous_join_percent", "continuous: time in joins (prefill into freed slots)", stats.JoinTime.TotalSeconds / total * 100, "%", "F1");
            report.Figure("continuous_sample_percent", "continuous: time drawing tokens", stats.SampleTime.TotalSeconds / total * 100, "%", "F1");
            report.Figure("continuous_settle_percent", "continuous: time settling on the host", stats.SettleTime.TotalSeconds / total * 100, "%", "F1");
            report.Figure("continuous_decode_percent", "continuous: time in decode forward passes", stats.DecodeTime.TotalSeconds / total * 100, "%", "F1");
            report.Figure("continuous_attention_read_over_needed", "continuous: key positions read / needed by the rows", stats.AttentionPositionsRead / (double)stats.AttentionPositionsNeeded, "x", "F2");
            report.Figure("continuous_one_segment_over_needed", "continuous: the same with every slot in one segment", stats.AttentionPositionsUnsegmented / (double)stats.AttentionPositionsNeeded, "x", "F2");
            report.Figure("continuous_rows_moved_percent", "continuous: rows moved between chunks, per row joined", stats.RowsMoved * 100.0 / stats.JoinedRows, "%", "F1");
            var speedup = continuous.TokensPerSecond / staticRun.TokensPerSecond;
            report.Figure("continuous_speedup", "continuous / static tokens/s", speedup, "x", "F2");
            var expected = lengths.Sum(l => l.Sum(x => (long)x));
            report.Check("long_tail_work_done", "both modes finished every group at its drawn lengths",
                staticRun.FinishedGroups == groups && continuous.FinishedGroups == groups && staticRun.LengthsAsDrawn && continuous.LengthsAsDrawn
                && staticRun.Tokens == expected && continuous.Tokens == expected);
            report.Check("long_tail_same_memory", "same KV-cache memory in both modes", staticRun.CacheBytes == continuous.CacheBytes);
            report.Check("continuous_occupancy_90", "continuous occupancy >= 90%", continuous.Occupancy >= 0.90);
            report.Check("continuous_2x_static", "continuous tokens/s >= 2x static", speedup >= 2);
        }
    }
}
