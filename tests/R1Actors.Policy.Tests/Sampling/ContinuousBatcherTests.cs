using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Sampling;

public class ContinuousBatcherTests
{
    private static readonly int[][] Prompts = [[3, 4, 5, 6, 7, 8, 9], [10, 11], [12, 13, 14, 15], [16], [17, 18, 19, 20, 21, 22]];
    private static readonly int[][] Limits = [[12, 3, 7], [2, 12, 5], [9, 1, 4], [6, 6, 11], [3, 10, 8]];

    private static SamplingOptions Options(int maxNew = 12) => new() { MaxNewTokens = maxNew, Temperature = 1.0 };

    private static SampleGroup Group(int p, int samples = 3, bool limited = true) => new(p, Prompts[p],
        GenerationRequest.ForStep([Prompts[p]], samples, 42, step: 3, [p]).Seeds, limited ? Limits[p].Take(samples).ToArray() : null);

    /// <summary>Feeds the groups one at a time, each only when the batcher has a free slot for it: later groups join mid-way.</summary>
    private static List<FinishedGroup> RunJoiningMidWay(ContinuousBatcher batcher, IEnumerable<SampleGroup> groups)
    {
        var finished = new List<FinishedGroup>();
        using var pending = groups.GetEnumerator();
        var more = pending.MoveNext();
        while (more || !batcher.Idle)
        {
            while (more && batcher.WantsMore)
            {
                Assert.Null(batcher.Enqueue(pending.Current));
                more = pending.MoveNext();
            }
            finished.AddRange(batcher.Step());
        }
        return finished;
    }

    private static GeneratedSequence[] Alone(CausalLanguageModel model, int p, SamplingOptions options) =>
        [.. new BatchGenerator(model).Generate(
            GenerationRequest.ForStep([Prompts[p]], 3, 42, step: 3, [p]) with { TokenLimits = Limits[p] }, options).Sequences];

    [Theory]
    [InlineData(4, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 3)]
    public void Rows_that_join_mid_way_produce_what_each_prompt_produces_alone(int slots, int checkInterval)
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var options = Options() with { FinishCheckInterval = checkInterval };
        using var batcher = new ContinuousBatcher(model, options, slots, slotTokens: 20);
        var finished = RunJoiningMidWay(batcher, Enumerable.Range(0, Prompts.Length).Select(p => Group(p)));
        Assert.Equal(Prompts.Length, finished.Count);
        Assert.True(batcher.Stats.JoinedRows == 15 && 15 > slots, "every row joined, most into slots that other rows had used");
        foreach (var group in finished)
        {
            var alone = Alone(model, (int)group.Key, Options());
            for (var g = 0; g < 3; g++)
            {
                Assert.Equal(g, group.Sequences[g].Sample);
                Assert.Equal(alone[g].TokenIds, group.Sequences[g].TokenIds);
                Assert.Equal(alone[g].FinishReason, group.Sequences[g].FinishReason);
                Assert.All(alone[g].LogProbs.Zip(group.Sequences[g].LogProbs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
            }
        }
    }

    [Theory]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(0.7, 0, 1.0)]
    [InlineData(1.3, 5, 0.9)]
    public void Continuous_log_probs_match_teacher_forced_scores_of_the_same_weights(double temperature, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen3Family.Instance));
        var options = Options() with { Temperature = temperature, TopK = topK, TopP = topP };
        using var batcher = new ContinuousBatcher(model, options, slots: 3, slotTokens: 24);
        var sampled = RunJoiningMidWay(batcher, Enumerable.Range(0, Prompts.Length).Select(p => Group(p, 2, limited: false)))
            .SelectMany(g => g.Sequences.Select(s => ((IReadOnlyList<int>)Prompts[g.Key], s))).ToArray();
        Assert.Equal(Prompts.Length * 2, sampled.Length);
        BatchGeneratorTests.AssertTeacherForcedScoresMatch(model, sampled, temperature);
    }

    [Fact]
    public void A_freed_slot_is_taken_at_the_next_step_so_equal_rows_keep_every_slot_busy()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using var batcher = new ContinuousBatcher(model, Options(4), slots: 2, slotTokens: 16);
        var finished = RunJoiningMidWay(batcher, Enumerable.Range(0, 3).Select(p => Group(p, 2, limited: false)));
        Assert.Equal(3, finished.Count);
        Assert.Equal(12, batcher.Stats.DecodeSteps);              // 6 rows × 4 tokens over 2 slots, no idle step
        Assert.Equal(1.0, batcher.Stats.Occupancy);
        Assert.All(finished.SelectMany(g => g.Sequences), s => Assert.Equal(FinishReason.Length, s.FinishReason));
    }

    [Fact]
    public void A_group_leaves_as_soon_as_its_samples_finish()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using var batcher = new ContinuousBatcher(model, Options(), slots: 6, slotTokens: 24);
        Assert.Null(batcher.Enqueue(Group(0) with { TokenLimits = [12, 12, 12] }));
        Assert.Null(batcher.Enqueue(Group(1) with { TokenLimits = [2, 3, 2] }));
        var order = new List<(long Key, long Step)>();
        while (!batcher.Idle)
            order.AddRange(batcher.Step().Select(g => (g.Key, batcher.Stats.DecodeSteps)));
        Assert.Equal([(1L, 3L), (0L, 12L)], order);
    }

    [Fact]
    public void A_prompt_with_no_room_for_a_new_token_is_refused_with_the_reason_and_counted_while_others_run()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using var batcher = new ContinuousBatcher(model, Options(12), slots: 2, slotTokens: 16);
        var tooLong = new SampleGroup(9, [.. Enumerable.Range(3, 16)], [1UL, 2UL]);
        Assert.Contains("the prompt has 16 tokens and the KV cache holds 16 a row", batcher.Enqueue(tooLong));
        Assert.Contains("outside the model's vocabulary", batcher.Enqueue(new SampleGroup(8, [1, 400], [1UL])));
        Assert.Null(batcher.Enqueue(Group(3, 2, limited: false)));
        var finished = batcher.Drain();
        Assert.Equal([3L], finished.Select(g => g.Key));
        Assert.All(finished[0].Sequences, s => Assert.Equal(12, s.TokenIds.Count));
        Assert.Equal(2, batcher.Stats.RefusedPrompts);
    }

    [Fact]
    public void A_prompt_cramped_in_its_slot_samples_the_room_left_and_ends_as_length_there()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using var batcher = new ContinuousBatcher(model, Options(12), slots: 3, slotTokens: 16);
        Assert.Null(batcher.Enqueue(new SampleGroup(1, [.. Enumerable.Range(3, 13)], [1UL, 2UL])));                // 13 + 3 = 16
        Assert.Null(batcher.Enqueue(new SampleGroup(2, [.. Enumerable.Range(3, 15)], [3UL], TokenLimits: [9])));   // room for 1 only
        var finished = batcher.Drain().ToDictionary(g => g.Key);
        Assert.All(finished[1].Sequences, s => Assert.Equal((3, FinishReason.Length), (s.TokenIds.Count, s.FinishReason)));
        Assert.Equal((1, FinishReason.Length), (finished[2].Sequences[0].TokenIds.Count, finished[2].Sequences[0].FinishReason));
        Assert.Equal(0, batcher.Stats.RefusedPrompts);
    }

    [Fact]
    public void Each_token_records_the_weights_version_that_drew_it()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using var batcher = new ContinuousBatcher(model, Options(6), slots: 4, slotTokens: 16);
        Assert.Null(batcher.Enqueue(Group(1, 2, limited: false)));
        batcher.WeightsVersion = 5;
        batcher.Step();
        batcher.Step();
        batcher.WeightsVersion = 6;
        var finished = batcher.Drain();
        Assert.All(finished[0].TokenVersions, versions => Assert.Equal([5L, 5L, 6L, 6L, 6L, 6L], versions));
    }

    [Theory]
    [InlineData(DecodeAttentionPath.Libtorch)]   // attention per segment of slots
    [InlineData(DecodeAttentionPath.Auto)]       // each row reads exactly its own positions
    public void Rows_moved_between_chunks_and_attended_in_segments_still_produce_what_they_produce_alone(DecodeAttentionPath attention)
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance) with { MaxPositionEmbeddings = 512 });
        // Long-tailed lengths (lognormal, median 20, capped at 300) over 16 slots in chunks of 2.
        var random = new Random(5);
        var limits = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, 3).Select(_ =>
            (int)Math.Clamp(20 * Math.Exp(1.3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())), 1, 300)).ToArray()).ToArray();
        var options = Options(300) with { DecodeAttention = attention };
        using var batcher = new ContinuousBatcher(model, options, slots: 16, slotTokens: 310, segmentCallCost: 16);
        var groups = limits.Select((l, p) => new SampleGroup(p, Prompts[p % Prompts.Length],
            GenerationRequest.ForStep([Prompts[p % Prompts.Length]], 3, 42, step: 3, [p]).Seeds, l));
        var finished = RunJoiningMidWay(batcher, groups);
        var stats = batcher.Stats;
        Assert.True(stats.RowsMoved > 0, "rows were moved to keep them ranked by position");
        Assert.True(stats.AttentionPositionsRead < 0.8 * stats.AttentionPositionsUnsegmented,
            $"attention read {stats.AttentionPositionsRead} positions; one segment would have read {stats.AttentionPositionsUnsegmented}");
        if (attention == DecodeAttentionPath.Auto)
            Assert.Equal(stats.AttentionPositionsNeeded, stats.AttentionPositionsRead);
        else
            Assert.True(stats.AttentionPositionsRead > stats.AttentionPositionsNeeded, "segments read as far as their longest row");
        foreach (var group in finished)
        {
            var p = (int)group.Key;
            var alone = new BatchGenerator(model).Generate(
                GenerationRequest.ForStep([Prompts[p % Prompts.Length]], 3, 42, step: 3, [p]) with { TokenLimits = limits[p] }, options).Sequences;
            for (var g = 0; g < 3; g++)
            {
                Assert.Equal(alone[g].TokenIds, group.Sequences[g].TokenIds);
                Assert.All(alone[g].LogProbs.Zip(group.Sequences[g].LogProbs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
            }
        }
    }

    [Fact]
    public void A_sample_that_joins_after_its_siblings_copies_the_prompt_from_a_sibling_in_flight_and_samples_what_it_samples_alone()
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        var options = Options();
        int[] limits = [12, 12, 5];
        using var batcher = new ContinuousBatcher(model, options, slots: 3, slotTokens: 20);
        Assert.Null(batcher.Enqueue(new SampleGroup(1, Prompts[1], [7UL], [2])));
        Assert.Null(batcher.Enqueue(new SampleGroup(0, Prompts[0], GenerationRequest.ForStep([Prompts[0]], 3, 42, step: 3, [0]).Seeds, limits)));
        var finished = batcher.Drain().ToDictionary(g => g.Key);
        // Group 1's row and samples 0, 1 of group 0 read their prompts; sample 2 takes group 1's slot when that row ends
        // (another prompt's keys there) and copies group 0's prompt from sample 0's slot.
        Assert.Equal((4L, 1L, (long)Prompts[1].Length + Prompts[0].Length), (batcher.Stats.JoinedRows, batcher.Stats.PromptsCopied, batcher.Stats.PrefillTokens));
        var alone = new BatchGenerator(model).Generate(
            GenerationRequest.ForStep([Prompts[0]], 3, 42, step: 3, [0]) with { TokenLimits = limits }, options).Sequences;
        for (var g = 0; g < 3; g++)
        {
            Assert.Equal(alone[g].TokenIds, finished[0].Sequences[g].TokenIds);
            Assert.All(alone[g].LogProbs.Zip(finished[0].Sequences[g].LogProbs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
        }
    }

    [Fact]
    public void After_a_weights_change_a_joining_sample_reads_its_prompt_again_and_later_ones_copy_the_new_reading()
    {
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        var seeds = GenerationRequest.ForStep([Prompts[2]], 4, 42, step: 3, [2]).Seeds;
        using var batcher = new ContinuousBatcher(model, Options(), slots: 2, slotTokens: 20);
        Assert.Null(batcher.Enqueue(new SampleGroup(2, Prompts[2], seeds, [4, 2, 12, 3])));
        batcher.Step();
        batcher.WeightsVersion = 1;   // samples 0 and 1 read the prompt under version 0: sample 2, joining when 1 ends, may not copy it
        batcher.Drain();
        // Read at the first join and again for sample 2; sample 3, joining when sample 0 ends, copies sample 2's reading.
        Assert.Equal((1L, 2L * Prompts[2].Length), (batcher.Stats.PromptsCopied, batcher.Stats.PrefillTokens));
    }
}
