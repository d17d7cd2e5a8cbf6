using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Sampling;

/// <summary>Sequences packed back to back without padding score as they do alone and as the padded path does.</summary>
public class PackedScoringTests
{
    // Uneven lengths: prompt + completion of 5, 5, 12 and 3 tokens; with blocks of 10 positions the first two share one.
    private static readonly int[][] Prompts = [[3, 4, 5], [8, 9], [10, 11, 12, 13, 14, 15], [6]];
    private static readonly int[][] Completions = [[13, 14], [16, 17, 18], [20, 21, 22, 23, 24, 25], [7, 9]];

    private static Tensor Ids(int[] ids) => tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);

    [Fact]
    public void A_packed_sequence_gets_the_logits_it_gets_alone_with_positions_restarting_and_no_attention_across_sequences()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        int[][] sequences = [.. Prompts.Zip(Completions, (p, c) => (int[])[.. p, .. c])];
        using var packed = PackedSequences.Pack(sequences, CPU, blockTokens: 10);
        Assert.Equal([0L, 5, 10, 22], packed.Offsets);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 }, packed.Positions[0].narrow(0, 0, 10).data<long>().ToArray());
        Assert.Equal([(0L, 10L), (10L, 12L), (22L, 3L)], packed.Blocks.Select(b => (b.Offset, b.Length)));
        var all = model.ForwardPacked(packed, arange(packed.Length));                           // (T, V)
        for (var s = 0; s < sequences.Length; s++)
        {
            var alone = model.Forward(Ids(sequences[s]), ones(1, sequences[s].Length))[0];          // (L, V)
            var mine = all.narrow(0, packed.Offsets[s], sequences[s].Length);
            Assert.True(mine.allclose(alone, rtol: 1e-4, atol: 1e-5), $"sequence {s}: max |Δ| {(mine - alone).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Changing_one_sequence_leaves_its_block_neighbours_logits_untouched()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        Tensor Logits(int[] first)
        {
            using var packed = PackedSequences.Pack([first, [5, 6, 7, 8]], CPU);
            Assert.Single(packed.Blocks);
            return model.ForwardPacked(packed, arange(first.Length, packed.Length)).detach();       // the second sequence's logits
        }
        var before = Logits([3, 4, 5]);
        var after = Logits([30, 31, 32]);
        Assert.True(before.allclose(after, rtol: 0, atol: 1e-6), $"max |Δ| {(before - after).abs().max().item<float>()}");
        // The same change to the second sequence's own tokens does move them, so the check above can fail.
        using var packed = PackedSequences.Pack([[3, 4, 5], [5, 9, 7, 8]], CPU);
        var moved = model.ForwardPacked(packed, arange(3, 7)).detach();
        Assert.False(before.allclose(moved, rtol: 0, atol: 1e-3));
    }

    [Theory]
    [InlineData(1.0, 256)]
    [InlineData(0.7, 8)]
    [InlineData(1.0, 1)]
    public void Packed_scores_and_their_gradient_equal_the_padded_paths(double temperature, int blockTokens)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance));
        (Tensor LogProbs, Tensor Entropy, Dictionary<string, Tensor> Gradient) Run(bool packed)
        {
            foreach (var p in model.parameters())
                p.grad = null;
            using var prompts = TokenBatch.LeftPadded(Prompts, 0, CPU);
            using var completions = TokenBatch.RightPadded(Completions, 0, CPU);
            var scores = packed
                ? CompletionScorer.ScorePacked(model, Prompts, Completions, CPU, temperature, withGrad: true, blockTokens)
                : CompletionScorer.Score(model, prompts.Ids, prompts.Mask, completions.Ids, completions.Mask, temperature, withGrad: true);
            // A loss that weighs every token differently, so a misplaced token changes the gradient.
            var weights = arange(1, scores.LogProbs.numel() + 1, ScalarType.Float32).view(scores.LogProbs.shape);
            ((scores.LogProbs * weights).sum() + scores.Entropy.sum()).backward();
            return (scores.LogProbs.detach(), scores.Entropy.detach(),
                model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone()));
        }
        var padded = Run(packed: false);
        var packedRun = Run(packed: true);
        Assert.Equal(padded.LogProbs.shape, packedRun.LogProbs.shape);
        Assert.True(packedRun.LogProbs.allclose(padded.LogProbs, rtol: 1e-4, atol: 1e-5));
        Assert.True(packedRun.Entropy.allclose(padded.Entropy, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(0f, packedRun.LogProbs[0, 2].item<float>());                                    // padding stays 0
        foreach (var (name, gradient) in padded.Gradient)
            Assert.True(packedRun.Gradient[name].allclose(gradient, rtol: 1e-3, atol: 1e-5),
                $"{name}: max |Δ| {(packedRun.Gradient[name] - gradient).abs().max().item<float>()}, max |g| {gradient.abs().max().item<float>()}");
    }

    [Fact]
    public void An_empty_completion_scores_nothing_and_an_empty_prompt_is_refused_naming_its_row()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Random(TestModels.Tiny(Qwen2Family.Instance));
        using var scores = CompletionScorer.ScorePacked(model, [[3, 4], [5]], [[6, 7], []], CPU);
        Assert.Equal(new long[] { 2, 2 }, scores.LogProbs.shape);
        Assert.Equal(0f, scores.LogProbs[1].abs().sum().item<float>());
        Assert.True(scores.LogProbs[0, 1].item<float>() < 0);
        var error = Assert.Throws<ArgumentException>(() => CompletionScorer.ScorePacked(model, [[3, 4], []], [[6], [7]], CPU));
        Assert.Contains("row 1", error.Message);
    }
}
