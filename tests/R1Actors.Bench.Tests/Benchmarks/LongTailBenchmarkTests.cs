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
}
