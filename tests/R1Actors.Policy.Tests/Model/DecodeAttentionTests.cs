using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Model;

public class DecodeAttentionTests
{
    /// <summary>Random (R, kvH, G, D) queries and (N, kvH, L, D) keys and values, N = R + 1.</summary>
    private static (Tensor Queries, Tensor Keys, Tensor Values) Inputs(int rows, int kvHeads, int groups, int d, int slotTokens, long seed = 3)
    {
        using var generator = new Generator((ulong)seed, CPU);
        return (randn([rows, kvHeads, groups, d], generator: generator),
                randn([rows + 1, kvHeads, slotTokens, d], generator: generator),
                randn([rows + 1, kvHeads, slotTokens, d], generator: generator));
    }

    /// <summary>libtorch's path (<see cref="Attention.Attend"/>) for row r alone over its first <paramref name="length"/> positions, <paramref name="blocked"/> (length) where masked.</summary>
    private static Tensor Reference(Tensor queries, Tensor keys, Tensor values, int r, int length, Tensor? blocked = null) =>
        Attention.Attend(queries.narrow(0, r, 1), keys.narrow(0, r, 1).narrow(2, 0, length), values.narrow(0, r, 1).narrow(2, 0, length),
            (blocked ?? zeros(length, ScalarType.Bool)).view(1, 1, 1, 1, length));

    [Theory]
    [InlineData(4, 1, 32)]    // the demo's heads: one query head per kv head, 32 wide
    [InlineData(2, 7, 64)]    // Qwen2.5's grouping: 7 query heads share a kv head of 64
    [InlineData(2, 2, 40)]    // a width that is not a multiple of 32 (a remainder of 8)
    [InlineData(1, 3, 12)]    // not a multiple of 8: scalar loops throughout
    public void Each_row_attends_its_own_positions_as_libtorch_does_and_a_row_of_length_zero_gets_zeros(int kvHeads, int groups, int d)
    {
        using var scope = NewDisposeScope();
        int[] lengths = [37, 1, 3, 0, 17, 4];
        var (queries, keys, values) = Inputs(lengths.Length, kvHeads, groups, d, slotTokens: 37);
        var output = DecodeAttention.Attend(queries, keys, values, lengths);
        Assert.Equal([lengths.Length, kvHeads, groups, d], output.shape);
        for (var r = 0; r < lengths.Length; r++)
        {
            var expected = lengths[r] == 0 ? zeros(1, kvHeads, groups, d) : Reference(queries, keys, values, r, lengths[r]);
            var difference = (output.narrow(0, r, 1) - expected).abs().max().item<float>();
            Assert.True(difference < 1e-5, $"row {r} (length {lengths[r]}): {difference} from libtorch's attention");
        }
    }

    [Fact]
    public void Masked_positions_are_skipped_and_a_row_with_every_key_masked_averages_its_values_as_libtorch_does()
    {
        using var scope = NewDisposeScope();
        const int length = 21;
        var (queries, keys, values) = Inputs(3, 2, 2, 16, slotTokens: 30);
        var mask = ones(4, 30, ScalarType.Bool);
        mask[0].narrow(0, 0, 5).fill_(false);                               // left padding
        mask[1].narrow(0, 8, 3).fill_(false);                               // a hole
        mask[2].fill_(false);                                               // every key masked
        var output = DecodeAttention.Attend(queries, keys, values, [length, length, length], mask);
        for (var r = 0; r < 3; r++)
        {
            var expected = Reference(queries, keys, values, r, length, mask[r].narrow(0, 0, length).logical_not());
            var difference = (output.narrow(0, r, 1) - expected).abs().max().item<float>();
            Assert.True(difference < 1e-5, $"row {r}: {difference} from libtorch's attention");
        }
        var mean = values.narrow(0, 2, 1).narrow(2, 0, length).mean([2], keepdim: true).expand(1, 2, 2, 16);
        Assert.True(output.narrow(0, 2, 1).allclose(mean, rtol: 1e-5, atol: 1e-6), "a row with every key masked averages its values");
    }

    [Fact]
    public void Splitting_the_pairs_over_two_threads_gives_the_same_bits_as_one_thread()
    {
        using var scope = NewDisposeScope();
        int[] lengths = [600, 512, 1, 600, 300, 77, 600, 2];
        var (queries, keys, values) = Inputs(lengths.Length, 4, 2, 32, slotTokens: 600);
        var restore = get_num_threads();
        try
        {
            set_num_threads(1);
            var one = DecodeAttention.Attend(queries, keys, values, lengths);
            set_num_threads(2);
            var two = DecodeAttention.Attend(queries, keys, values, lengths);
            Assert.True(one.eq(two).all().item<bool>(), "the same bits whatever the split");
        }
        finally
        {
            set_num_threads(restore);
        }
    }

    [Fact]
    public void The_kernels_exp_is_within_a_few_ulp_of_exp_down_to_float32s_normal_range_and_zero_below()
    {
        var worst = 0.0;
        for (var i = 0; i <= 80_000; i += 8)
        {
            var xs = Enumerable.Range(i, 8).Select(j => -87.2f * j / 80_007).ToArray();
            var e = DecodeAttention.Exp(System.Runtime.Intrinsics.Vector256.Create(xs));
            for (var lane = 0; lane < 8; lane++)
                worst = Math.Max(worst, Math.Abs(e[lane] - Math.Exp(xs[lane])) / Math.Exp(xs[lane]));
        }
        Assert.True(worst < 4e-7, $"largest relative error {worst:E2} (float32's ulp is 6e-8 to 1.2e-7)");
        var edges = DecodeAttention.Exp(System.Runtime.Intrinsics.Vector256.Create(0f, -87.4f, -100f, float.MinValue, -1e30f, -0.5f, -1f, -2f));
        Assert.Equal([1f, 0f, 0f, 0f, 0f], [edges[0], edges[1], edges[2], edges[3], edges[4]]);
        Assert.Equal(Math.Exp(-1), edges[6], 1e-6);
    }

    [Fact]
    public void Lengths_that_do_not_fit_the_rows_or_the_store_are_refused_with_the_sizes()
    {
        using var scope = NewDisposeScope();
        var (queries, keys, values) = Inputs(2, 1, 1, 8, slotTokens: 10);
        Assert.Contains("2 rows", Assert.Throws<ArgumentException>(() => DecodeAttention.Attend(queries, keys, values, [3])).Message);
        Assert.Contains("0 … 10", Assert.Throws<ArgumentException>(() => DecodeAttention.Attend(queries, keys, values, [3, 11])).Message);
    }

    [Fact]
    public void The_kernel_serves_float32_on_the_cpu_and_leaves_16_bit_stores_to_libtorch()
    {
        using var scope = NewDisposeScope();
        var (queries, keys, _) = Inputs(2, 2, 1, 8, slotTokens: 10);
        Assert.True(DecodeAttention.Serves(queries, keys));
        Assert.False(DecodeAttention.Serves(queries.to(ScalarType.BFloat16), keys.to(ScalarType.BFloat16)));
        Assert.False(DecodeAttention.Serves(queries, keys.transpose(2, 3)), "a store that is not contiguous");
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(1, 32)]
    public void Static_batches_sample_the_same_tokens_through_the_kernel_and_through_libtorch(int kvHeads, int headDim)
    {
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance, kvHeads: kvHeads) with { HeadDim = headDim });
        int[][] prompts = [[3, 4, 5, 6, 7, 8, 9], [10, 11], [12, 13, 14, 15]];
        var request = GenerationRequest.ForStep(prompts, 3, 42, step: 3, [0, 1, 2]);
        var options = new SamplingOptions { MaxNewTokens = 24, Temperature = 1.0 };
        var kernel = new BatchGenerator(model).Generate(request, options).Sequences;
        var libtorch = new BatchGenerator(model).Generate(request, options with { DecodeAttention = DecodeAttentionPath.Libtorch }).Sequences;
        for (var i = 0; i < kernel.Count; i++)
        {
            Assert.Equal(libtorch[i].TokenIds, kernel[i].TokenIds);
            Assert.All(libtorch[i].LogProbs.Zip(kernel[i].LogProbs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
        }
    }
}
