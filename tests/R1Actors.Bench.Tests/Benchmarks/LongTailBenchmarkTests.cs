using R1Actors.Bench.Benchmarks;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Bench.Tests.Benchmarks;

public sealed class LongTailBenchmarkTests
{
    [Fact]
    public void Drawn_lengths_have_the_issues_shape_median_64_and_a_p99_of_a_thousand_capped_at_max_new_tokens()
    {
        var lengths = LongTailBenchmark.DrawLengths(new LongTailBenchmark.Workload(2000, 8, 24, 1024, 32)).SelectMany(l => l).Order().ToArray();
        Assert.InRange(lengths[lengths.Length / 2], 58, 70);
        Assert.True(lengths[(int)(lengths.Length * 0.99)] >= 1000);
        Assert.InRange(lengths[0], 1, 1024);
        Assert.Equal(1024, lengths[^1]);
    }

    [Fact]
    public void Static_and_continuous_runs_generate_exactly_the_drawn_lengths_in_the_same_cache_memory()
    {
        var (model, _) = TinyModels.Create(new(32, 1, 2, 2, 48, 256, 10000, 3), CPU, ScalarType.Float32);
        using (model)
        {
            var workload = new LongTailBenchmark.Workload(Groups: 6, SamplesPerPrompt: 2, PromptLength: 5, MaxNewTokens: 40, Rows: 4, MedianLength: 6, P99Length: 40);
            var lengths = LongTailBenchmark.DrawLengths(workload);
            var expected = lengths.Sum(l => l.Sum());
            var staticRun = LongTailBenchmark.RunStatic(model, workload, lengths);
            var continuous = LongTailBenchmark.RunContinuous(model, workload, lengths);
            Assert.All(new[] { staticRun, continuous }, run =>
            {
                Assert.True(run.LengthsAsDrawn);
                Assert.Equal(expected, run.Tokens);
                Assert.Equal(6, run.FinishedGroups);
            });
            Assert.Equal(staticRun.CacheBytes, continuous.CacheBytes);
            Assert.Equal(expected, continuous.Stats!.ActiveRowSteps);   // a row draws one token a step: row-steps are the tokens
            Assert.InRange(continuous.Steady!.Tokens, 1, expected - 1);
            Assert.InRange(continuous.Steady.DecodeSteps, 1, continuous.DecodeSteps - 1);
            Assert.True(continuous.Steady.Occupancy >= continuous.Occupancy);
            Assert.True(continuous.Occupancy > staticRun.Occupancy);
            Assert.True(continuous.DecodeSteps < staticRun.DecodeSteps);
        }
    }

    [Fact]
    public void Step_bytes_count_keys_and_values_as_the_cache_holds_them_and_put_the_two_benchmark_models_in_opposite_regimes()
    {
        var workload = new LongTailBenchmark.Workload(48, 8, 24, 1024, 32);
        var (tiny, _) = TinyModels.Create(SamplingBenchmark.DemoShape with { MaxPositions = 2048 }, CPU, ScalarType.Float32);
        var (decoder, _) = TinyModels.Create(SamplingBenchmark.DecoderProportions, CPU, ScalarType.Float32);
        using (tiny)
        using (decoder)
        {
            foreach (var model in new[] { tiny, decoder })
            {
                var full = LongTailBenchmark.StepBytes(model.Config, workload.Rows, workload.PromptLength + workload.MaxNewTokens);
                Assert.Equal(LongTailBenchmark.StaticCacheBytes(model.Config, workload) / 1e6, full.KvMb, 6);
                Assert.Equal(model.parameters().Sum(p => p.numel()) * 4 / 1e6, full.WeightMb, 6);
            }
            var lengths = LongTailBenchmark.DrawLengths(workload);
            var position = LongTailBenchmark.MeanPositionInFlight(workload, lengths);
            Assert.InRange(position, workload.PromptLength + 64, workload.PromptLength + 1024);
            var tinyStep = LongTailBenchmark.StepBytes(tiny.Config, workload.Rows, position);
            var decoderStep = LongTailBenchmark.StepBytes(decoder.Config, workload.Rows, position);
            Assert.True(tinyStep.KvMb > 5 * tinyStep.WeightMb, $"tiny: {tinyStep}");              // attention-bound, as no real decoder is
            Assert.True(decoderStep.WeightMb > 2 * decoderStep.KvMb, $"decoder: {decoderStep}");  // weights-bound, as Qwen2.5-0.5B's step is
        }
    }

    [Fact]
    public void The_mean_position_in_flight_weights_each_row_by_the_steps_it_is_in_flight()
    {
        var workload = new LongTailBenchmark.Workload(2, 2, 10, 100, 4);
        // Rows of 10, 10, 10 and 90 tokens: Σ L² / (2 Σ L) = (300 + 8100) / 240 = 35.
        Assert.Equal(45, LongTailBenchmark.MeanPositionInFlight(workload, [[10, 10], [10, 90]]), 9);
    }
}
