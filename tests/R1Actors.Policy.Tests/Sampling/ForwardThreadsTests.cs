using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using static TorchSharp.torch;

namespace R1Actors.Policy.Tests.Sampling;

public class ForwardThreadsTests
{
    [Fact]
    public void A_small_decode_step_runs_libtorch_on_one_thread_leaves_attention_the_configured_count_and_both_come_back()
    {
        var before = get_num_threads();
        var tiny = TestModels.Tiny(LlamaFamily.Instance);
        try
        {
            set_num_threads(2);
            using (ForwardThreads.ForDecodeStep(tiny, rows: 8))
                Assert.Equal((1, 2), (get_num_threads(), DecodeAttention.StepThreads));
            Assert.Equal((2, 0), (get_num_threads(), DecodeAttention.StepThreads));
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Fact]
    public void A_decode_step_of_a_gigaflop_or_more_keeps_the_configured_threads()
    {
        var before = get_num_threads();
        var tiny = TestModels.Tiny(LlamaFamily.Instance);
        var rows = (long)Math.Ceiling(ForwardThreads.OneThreadBelowFlops / tiny.FlopsPerToken(1));
        try
        {
            set_num_threads(2);
            using (ForwardThreads.ForDecodeStep(tiny, rows))
                Assert.Equal(2, get_num_threads());
        }
        finally
        {
            set_num_threads(before);
        }
    }
}
