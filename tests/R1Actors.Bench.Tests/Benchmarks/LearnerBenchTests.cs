using System.Text.Json;
using R1Actors.Bench.Benchmarks;

namespace R1Actors.Bench.Tests.Benchmarks;

public class LearnerBenchTests
{
    [Fact]
    public void Step_flops_count_every_fed_position_the_head_on_completions_only_and_backward_twice()
    {
        var config = LearnerBenchModels.Tiny(1).Config;
        // prompt 3, completion 2 → positions 1..4 are fed; the head runs on the last 2 only.
        var forward = Enumerable.Range(1, 4).Sum(t => config.FlopsPerToken(t)) - 2 * (2.0 * config.VocabSize * config.HiddenSize);
        Assert.Equal(3 * forward, LearnerBenchModels.StepFlops(config, [(3, 2)]), 6);
        Assert.Equal(6 * forward, LearnerBenchModels.StepFlops(config, [(3, 2), (3, 2)]), 6);
    }

    [Fact]
    public void The_benchmark_prints_its_figures_and_ends_with_one_json_line()
    {
        var output = new StringWriter();
        var small = LearnerBenchModels.Tiny(1) with { Groups = 2, GroupSize = 2, PromptTokens = 4, CompletionTokens = 6 };
        LearnerBench.Run([small], threads: 1, output, ceilingSize: 128);
        var lines = output.ToString().TrimEnd().Split('\n');
        using var json = JsonDocument.Parse(lines[^1]);
        Assert.Equal("learner", json.RootElement.GetProperty("benchmark").GetString());
        Assert.True(json.RootElement.GetProperty("tiny_tokens_per_second").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("matmul_ceiling_gflops").GetDouble() > 0);
        Assert.Contains(lines, l => l.Contains("completion tokens trained per second"));
    }

    [Fact]
    public void With_lora_the_same_run_reports_adapter_and_full_side_by_side()
    {
        var output = new StringWriter();
        var small = LearnerBenchModels.Tiny(1) with { Groups = 2, GroupSize = 2, PromptTokens = 4, CompletionTokens = 6 };
        LearnerBench.Run([LearnerBenchModels.WithLora(small), small], threads: 1, output, ceilingSize: 128);
        using var json = JsonDocument.Parse(output.ToString().TrimEnd().Split('\n')[^1]);
        var figures = json.RootElement;
        var published = figures.GetProperty("tiny_lora_published_mb").GetDouble();
        Assert.True(published > 0 && published < figures.GetProperty("tiny_published_mb").GetDouble());
        Assert.Equal(published / figures.GetProperty("tiny_published_mb").GetDouble(), figures.GetProperty("tiny_lora_published_fraction").GetDouble(), 4);
        Assert.True(figures.GetProperty("tiny_lora_trained_parameters_millions").GetDouble() < figures.GetProperty("tiny_trained_parameters_millions").GetDouble());
        Assert.True(figures.GetProperty("tiny_lora_peak_resident_mb").GetDouble() > 0);
        Assert.True(figures.GetProperty("tiny_lora_step_seconds").GetDouble() > 0);
    }

    [Fact]
    public void With_packing_the_same_long_tailed_batch_is_measured_padded_and_packed_side_by_side()
    {
        var output = new StringWriter();
        var small = LearnerBenchModels.Tiny(1) with { GroupSize = 4, PromptTokens = 4 };
        var pair = LearnerBenchModels.PaddedAndPacked(small, groups: 2, tokens: 512);
        LearnerBench.Run(pair, threads: 1, output, ceilingSize: 128);
        using var json = JsonDocument.Parse(output.ToString().TrimEnd().Split('\n')[^1]);
        var figures = json.RootElement;
        Assert.True(figures.GetProperty("tiny_longtail_padded_padding_fraction").GetDouble() > 0.05);
        Assert.Equal(0.0, figures.GetProperty("tiny_longtail_packed_padding_fraction").GetDouble());
        // The same completions in both layouts: the work timed is the same.
        Assert.Equal(figures.GetProperty("tiny_longtail_padded_completion_tokens").GetDouble(), figures.GetProperty("tiny_longtail_packed_completion_tokens").GetDouble());
        Assert.Equal(figures.GetProperty("tiny_longtail_packed_tokens_per_second").GetDouble() / figures.GetProperty("tiny_longtail_padded_tokens_per_second").GetDouble(),
            figures.GetProperty("tiny_longtail_packed_speedup").GetDouble(), 4);
    }

    [Fact]
    public void Long_tailed_lengths_have_a_median_near_64_and_a_tail_past_a_thousand()
    {
        var random = new Random(7);
        var lengths = Enumerable.Range(0, 20000).Select(_ => LearnerBenchModels.LongTailLength(random, 4096)).Order().ToArray();
        Assert.InRange(lengths[lengths.Length / 2], 60, 68);
        Assert.InRange(lengths[(int)(lengths.Length * 0.99)], 850, 1150);
        var capped = new Random(8);
        Assert.All(Enumerable.Range(0, 1000).Select(_ => LearnerBenchModels.LongTailLength(capped, 100)), l => Assert.InRange(l, 1, 100));
    }
}
