using R1Actors.Bench.Benchmarks;
using R1Actors.Policy.Model;
using R1Actors.Policy.Settings;
using static TorchSharp.torch;

namespace R1Actors.Bench.Commands;

/// <summary>
/// The long-tailed section of <c>r1actors-bench sampling</c>, for two randomly initialised models: the demo-shaped
/// tiny one, whose decode step is nearly all attention (reading each row's keys and values costs the same per row in
/// either mode), and one of a real decoder's proportions (<see cref="SamplingBenchmark.DecoderProportions"/>), whose
/// step is mostly reading the weights, once per step whatever its rows. Each: 8 samples per prompt,
/// 24-token prompts, lengths lognormal (median 64, p99 1,024, capped at 1,024 new tokens), 32 rows of cache
/// for both modes. Occupancy is mean active rows ÷ 32 over decode steps. The modes run in alternating pairs
/// (static, continuous, static, …) so that a load that comes and goes on the machine hits both, and every
/// figure is the median over the pairs. Continuous batching is reported over its steady state (until the last
/// group is queued: what a daemon's sampler sees, the stream keeping its slots fed) and over the whole run, its
/// final drain included; static batches drain at every call, so their whole run is their steady state.
/// </summary>
internal static class LongTailFigures
{
    /// <param name="decoderGroups">Groups for the decoder-proportioned model; 0 leaves it out.</param>
    public static void Run(BenchReport report, int groups, int pairs, int decoderGroups, DecodeAttentionPath attention)
    {
        Run(report, "", "demo-shaped tiny model", SamplingBenchmark.DemoShape with { MaxPositions = 2048 }, groups, pairs, attention);
        if (decoderGroups > 0)
            Run(report, "decoder_", "decoder-proportioned model", SamplingBenchmark.DecoderProportions, decoderGroups, pairs, attention);
    }

    private static void Run(BenchReport report, string prefix, string name, TinyModelSettings shape, int groups, int pairs, DecodeAttentionPath attention)
    {
        var workload = new LongTailBenchmark.Workload(groups, SamplesPerPrompt: 8, PromptLength: 24, MaxNewTokens: 1024, Rows: 32, Attention: attention);
        var (model, _) = TinyModels.Create(shape, CPU, ScalarType.Float32);
        using (model)
        {
            var lengths = LongTailBenchmark.DrawLengths(workload);
            var all = lengths.SelectMany(l => l).Order().ToArray();
            var config = model.Config;
            report.Section($"Long-tailed workload, {name} ({config.ParameterCount() / 1e6:F2}M parameters, {config.NumAttentionHeads} heads, "
                + $"{config.NumKeyValueHeads} kv heads): {groups} prompts x {workload.SamplesPerPrompt} samples, {workload.PromptLength}-token prompts, "
                + $"lengths lognormal (median {workload.MedianLength}, p99 {workload.P99Length}) capped at {workload.MaxNewTokens}; {workload.Rows} rows of cache in both modes; "
                + $"medians of {pairs} alternating static/continuous pairs");
            var meanPositions = LongTailBenchmark.MeanPositionInFlight(workload, lengths);
            var (weightMb, kvMb) = LongTailBenchmark.StepBytes(config, workload.Rows, meanPositions);
            report.Figure(prefix + "step_weight_mb", $"a decode step of {workload.Rows} full rows reads: weights", weightMb, "MB", "F1");
            report.Figure(prefix + "step_kv_mb", $"... and keys/values, at the rows' mean {meanPositions:F0} positions", kvMb, "MB", "F1");
            report.Figure(prefix + "long_tail_median_length", "drawn lengths: median", all[all.Length / 2], "tokens", "F0");
            report.Figure(prefix + "long_tail_p99_length", "drawn lengths: p99", all[(int)(all.Length * 0.99)], "tokens", "F0");
            report.Figure(prefix + "long_tail_max_length", "drawn lengths: longest", all[^1], "tokens", "F0");
            // Warm both paths up on a few groups so that neither pays first-call costs in its timing.
            var warmup = workload with { Groups = 4, MaxNewTokens = 64 };
            var warmLengths = LongTailBenchmark.DrawLengths(warmup);
            LongTailBenchmark.RunStatic(model, warmup, warmLengths);
            LongTailBenchmark.RunContinuous(model, warmup, warmLengths);
            var runs = Enumerable.Range(0, pairs)
                .Select(_ => (Static: LongTailBenchmark.RunStatic(model, workload, lengths), Continuous: LongTailBenchmark.RunContinuous(model, workload, lengths)))
                .ToArray();
            Figures(report, prefix, runs);
            var expected = lengths.Sum(l => l.Sum(x => (long)x));
            report.Check(prefix + "long_tail_work_done", "every run finished every group at its drawn lengths, and counted the tokens drawn",
                runs.All(r => r.Static.FinishedGroups == groups && r.Continuous.FinishedGroups == groups && r.Static.LengthsAsDrawn && r.Continuous.LengthsAsDrawn
                    && r.Static.Tokens == expected && r.Continuous.Tokens == expected && r.Continuous.Stats!.ActiveRowSteps == expected));
            report.Check(prefix + "long_tail_same_memory", "same KV-cache memory in both modes", runs.All(r => r.Static.CacheBytes == r.Continuous.CacheBytes));
        }
    }

    private static void Figures(BenchReport report, string prefix, (LongTailBenchmark.Outcome Static, LongTailBenchmark.Outcome Continuous)[] runs)
    {
        double Median(Func<(LongTailBenchmark.Outcome Static, LongTailBenchmark.Outcome Continuous), double> figure)
        {
            var values = runs.Select(figure).Order().ToArray();
            return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
        }
        report.Figure(prefix + "static_occupancy_percent", "static: occupancy (active rows / rows, over decode steps)", Median(r => r.Static.Occupancy) * 100, "%", "F1");
        report.Figure(prefix + "static_tokens_per_s", "static: generated tokens/s", Median(r => r.Static.TokensPerSecond), "tokens/s", "F0");
        report.Figure(prefix + "static_seconds", "static: time to finish every group", Median(r => r.Static.Seconds), "s", "F2");
        report.Figure(prefix + "static_decode_steps", "static: decode steps", Median(r => r.Static.DecodeSteps), "", "F0");
        report.Figure(prefix + "static_cache_mib", "static: KV cache", runs[0].Static.CacheBytes / 1048576.0, "MiB", "F1");
        report.Figure(prefix + "continuous_occupancy_percent", "continuous, steady state (until the last group was queued): occupancy", Median(r => r.Continuous.Steady!.Occupancy) * 100, "%", "F1");
        report.Figure(prefix + "continuous_tokens_per_s", "continuous, steady state: tokens/s", Median(r => r.Continuous.Steady!.TokensPerSecond), "tokens/s", "F0");
        report.Figure(prefix + "continuous_steady_seconds", "continuous, steady state: time", Median(r => r.Continuous.Steady!.Seconds), "s", "F2");
        report.Figure(prefix + "continuous_whole_occupancy_percent", "continuous, whole run (final drain included): occupancy", Median(r => r.Continuous.Occupancy) * 100, "%", "F1");
        report.Figure(prefix + "continuous_whole_tokens_per_s", "continuous, whole run: tokens/s", Median(r => r.Continuous.TokensPerSecond), "tokens/s", "F0");
        report.Figure(prefix + "continuous_seconds", "continuous, whole run: time to finish every group", Median(r => r.Continuous.Seconds), "s", "F2");
        report.Figure(prefix + "continuous_decode_steps", "continuous, whole run: decode steps", Median(r => r.Continuous.DecodeSteps), "", "F0");
        report.Figure(prefix + "continuous_cache_mib", "continuous: KV cache", runs[0].Continuous.CacheBytes / 1048576.0, "MiB", "F1");
        report.Figure(prefix + "continuous_drain_steps_percent", "continuous: decode steps spent draining the last rows",
            Median(r => (r.Continuous.DecodeSteps - r.Continuous.Steady!.DecodeSteps) * 100.0 / r.Continuous.DecodeSteps), "%", "F1");
        report.Figure(prefix + "continuous_drain_seconds", "continuous: time draining the last rows", Median(r => r.Continuous.Seconds - r.Continuous.Steady!.Seconds), "s", "F2");
        var last = runs[^1].Continuous;
        var (stats, total) = (last.Stats!, last.Seconds);
        report.Figure(prefix + "continuous_join_percent", "continuous (last run): time in joins (prefill into freed slots)", stats.JoinTime.TotalSeconds / total * 100, "%", "F1");
        report.Figure(prefix + "continuous_sample_percent", "continuous (last run): time drawing tokens", stats.SampleTime.TotalSeconds / total * 100, "%", "F1");
        report.Figure(prefix + "continuous_settle_percent", "continuous (last run): time settling on the host", stats.SettleTime.TotalSeconds / total * 100, "%", "F1");
        report.Figure(prefix + "continuous_decode_percent", "continuous (last run): time in decode forward passes", stats.DecodeTime.TotalSeconds / total * 100, "%", "F1");
        report.Figure(prefix + "continuous_attention_read_over_needed", "continuous: key positions read / needed by the rows", stats.AttentionPositionsRead / (double)stats.AttentionPositionsNeeded, "x", "F2");
        report.Figure(prefix + "continuous_one_segment_over_needed", "continuous: the same with every slot in one segment", stats.AttentionPositionsUnsegmented / (double)stats.AttentionPositionsNeeded, "x", "F2");
        report.Figure(prefix + "continuous_prompts_copied_percent", "continuous: rows that copied their prompt from a sibling's slot, per row joined",
            stats.PromptsCopied * 100.0 / stats.JoinedRows, "%", "F1");
        report.Figure(prefix + "continuous_rows_moved_percent", "continuous: rows moved between chunks, per row joined", stats.RowsMoved * 100.0 / stats.JoinedRows, "%", "F1");
        var speedup = Median(r => r.Continuous.Steady!.TokensPerSecond / r.Static.TokensPerSecond);
        var wholeSpeedup = Median(r => r.Continuous.TokensPerSecond / r.Static.TokensPerSecond);
        report.Figure(prefix + "continuous_speedup", "continuous steady state / static tokens/s (median of the pairs' ratios)", speedup, "x", "F2");
        report.Figure(prefix + "continuous_whole_speedup", "continuous whole run / static tokens/s (median of the pairs' ratios)", wholeSpeedup, "x", "F2");
        report.Fact(prefix + "long_tail_pairs", "each pair: static / continuous whole-run seconds",
            string.Join(", ", runs.Select(r => $"{r.Static.Seconds:F1} / {r.Continuous.Seconds:F1}")));
        report.Check(prefix + "continuous_occupancy_90", "continuous occupancy in steady state >= 90%", Median(r => r.Continuous.Steady!.Occupancy) >= 0.90);
        report.Check(prefix + "continuous_2x_static", "continuous steady-state tokens/s >= 2x static", speedup >= 2);
    }
}
