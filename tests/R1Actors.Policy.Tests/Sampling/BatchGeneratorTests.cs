using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Sampling;

public class BatchGeneratorTests
{
    private static readonly int[][] Prompts = [[3, 4, 5, 6, 7, 8, 9], [10, 11], [12, 13, 14, 15]];

    private static GenerationRequest Request(int[][] prompts, int samples, ulong runSeed = 42, long firstPrompt = 0) =>
        GenerationRequest.ForStep(prompts, samples, runSeed, step: 3, [.. Enumerable.Range(0, prompts.Length).Select(i => firstPrompt + i)]);

    private static SamplingOptions Options(int maxNew = 12) => new() { MaxNewTokens = maxNew, Temperature = 1.0 };

    [Fact]
    public void Padded_batch_produces_what_each_prompt_produces_alone()
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var generator = new BatchGenerator(model);
        var batch = generator.Generate(Request(Prompts, samples: 3), Options()).Sequences;
        for (var p = 0; p < Prompts.Length; p++)
        {
            var alone = generator.Generate(Request([Prompts[p]], samples: 3, firstPrompt: p), Options()).Sequences;
            for (var g = 0; g < 3; g++)
            {
                var expected = alone[g];
                var actual = batch[p * 3 + g];
                Assert.Equal((p, g), (actual.Prompt, actual.Sample));
                Assert.Equal(expected.TokenIds, actual.TokenIds);
                Assert.All(expected.LogProbs.Zip(actual.LogProbs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
            }
        }
    }

    [Theory]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(0.7, 0, 1.0)]
    [InlineData(1.3, 5, 0.9)]
    public void Sampler_log_probs_match_teacher_forced_scores_of_the_same_weights(double temperature, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen3Family.Instance));
        var options = Options() with { Temperature = temperature, TopK = topK, TopP = topP };
        var sequences = new BatchGenerator(model).Generate(Request(Prompts, samples: 2), options).Sequences;
        AssertTeacherForcedScoresMatch(model, [.. sequences.Select(s => ((IReadOnlyList<int>)Prompts[s.Prompt], s))], temperature);
    }

    /// <summary>Scores each (prompt, completion) teacher-forced in one padded batch and compares with the sampler's log-probs.</summary>
    internal static void AssertTeacherForcedScoresMatch(CausalLanguageModel model, (IReadOnlyList<int> Prompt, GeneratedSequence Sequence)[] sampled, double temperature)
    {
        using var prompts = TokenBatch.LeftPadded([.. sampled.Select(s => s.Prompt)], 0, CPU);
        using var completions = TokenBatch.RightPadded([.. sampled.Select(s => s.Sequence.TokenIds)], 0, CPU);
        using var scores = CompletionScorer.Score(model, prompts.Ids, prompts.Mask, completions.Ids, completions.Mask, temperature);
        for (var r = 0; r < sampled.Length; r++)
            for (var t = 0; t < sampled[r].Sequence.TokenIds.Count; t++)
                Assert.Equal(scores.LogProbs[r, t].item<float>(), sampled[r].Sequence.LogProbs[t], 1e-4);
    }

    [Fact]
    public void Same_seeds_reproduce_and_other_seeds_differ()
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(LlamaFamily.Instance));
        var generator = new BatchGenerator(model);
        var first = generator.Generate(Request(Prompts, 2), Options()).Sequences.Select(s => s.TokenIds).ToList();
        var again = generator.Generate(Request(Prompts, 2), Options()).Sequences.Select(s => s.TokenIds).ToList();
        var other = generator.Generate(Request(Prompts, 2, runSeed: 43), Options()).Sequences.Select(s => s.TokenIds).ToList();
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual(first[0], first[1]);   // two samples of one prompt draw differently
    }

    [Fact]
    public void Cached_and_recomputing_decoders_agree()
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var generator = new BatchGenerator(model);
        var cached = generator.Generate(Request(Prompts, 2), Options()).Sequences;
        var recomputed = generator.Generate(Request(Prompts, 2), Options() with { UseKvCache = false }).Sequences;
        Assert.Equal(cached.Select(s => s.TokenIds), recomputed.Select(s => s.TokenIds));
    }

    [Fact]
    public void Greedy_follows_the_argmax_of_the_full_forward_pass()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var sequence = new BatchGenerator(model).Generate(Request([Prompts[0]], 1), Options(6) with { Temperature = 0 }).Sequences[0];
        var tokens = Prompts[0].ToList();
        foreach (var generated in sequence.TokenIds)
        {
            var logits = model.Forward(tensor(tokens.Select(i => (long)i).ToArray(), [1, tokens.Count]), ones(1, tokens.Count));
            Assert.Equal(logits[0, -1].argmax().item<long>(), generated);
            tokens.Add(generated);
        }
        Assert.All(sequence.FilteredLogProbs, lp => Assert.Equal(0f, lp));
    }

    [Fact]
    public void Stop_token_ends_a_row_and_is_kept_while_others_run_to_the_limit()
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var generator = new BatchGenerator(model);
        var free = generator.Generate(Request(Prompts, 2), Options()).Sequences;
        // Make the second token of row 0 a stop token: that row ends there, rows that never draw it run on.
        var stop = free[0].TokenIds[1];
        var stopped = generator.Generate(Request(Prompts, 2), Options() with { StopTokenIds = [stop] }).Sequences;
        for (var r = 0; r < free.Count; r++)
        {
            var first = free[r].TokenIds.ToList().IndexOf(stop);
            var expected = first < 0 ? free[r].TokenIds : free[r].TokenIds.Take(first + 1).ToList();
            Assert.Equal(expected, stopped[r].TokenIds);
            Assert.Equal(first < 0 ? FinishReason.Length : FinishReason.Stop, stopped[r].FinishReason);
        }
        Assert.Equal(FinishReason.Stop, stopped[0].FinishReason);
        Assert.InRange(stopped[0].TokenIds.Count, 1, 2);
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(3, 0.75)]
    [InlineData(4, 1.0)]
    public void Check_interval_and_row_dropping_do_not_change_results(int interval, double compactBelow)
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var generator = new BatchGenerator(model);
        var reference = generator.Generate(Request(Prompts, 3), Options()).Sequences;
        var stops = reference.Select(s => s.TokenIds[2]).Distinct().Take(2).ToArray();
        var baseline = generator.Generate(Request(Prompts, 3), Options() with { StopTokenIds = stops }).Sequences;
        var variant = generator.Generate(Request(Prompts, 3),
            Options() with { StopTokenIds = stops, FinishCheckInterval = interval, CompactBelowFraction = compactBelow }).Sequences;
        Assert.Equal(baseline.Select(s => s.TokenIds), variant.Select(s => s.TokenIds));
        Assert.Equal(baseline.Select(s => s.FinishReason), variant.Select(s => s.FinishReason));
        Assert.Contains(baseline, s => s.FinishReason == FinishReason.Stop);
    }

    [Fact]
    public void Rows_end_at_the_token_limit_with_reason_length()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var sequences = new BatchGenerator(model).Generate(Request(Prompts, 2), Options(5)).Sequences;
        Assert.All(sequences, s => Assert.Equal(5, s.TokenIds.Count));
        Assert.All(sequences, s => Assert.Equal(FinishReason.Length, s.FinishReason));
    }

    [Fact]
    public void Bad_requests_are_refused_with_the_reason()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var generator = new BatchGenerator(model);
        Assert.Contains("outside the model's vocabulary", Assert.Throws<ArgumentException>(
            () => generator.Generate(Request([[1, 400]], 1), Options())).Message);
        Assert.Contains("seeds", Assert.Throws<ArgumentException>(
            () => generator.Generate(new GenerationRequest([[1, 2]], 2, [1UL]), Options())).Message);
        Assert.Contains("tokenizer", Assert.Throws<ArgumentException>(
            () => generator.Generate(Request([[1, 2]], 1), Options() with { StopStrings = ["x"] })).Message);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(
            () => generator.Generate(Request([[1, 2]], 1), Options() with { TopP = 0 })).Message);
    }
}
