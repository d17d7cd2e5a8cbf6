using static TorchSharp.torch;

namespace R1Actors.Policy.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void Configure_sets_the_thread_count_and_passive_waiting_unless_the_environment_chose()
    {
        var before = get_num_threads();
        var chosen = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        try
        {
            var line = TorchRuntime.Configure(1);
            Assert.Equal(1, get_num_threads());
            Assert.Contains("1 intra-op threads", line);
            Assert.Contains(chosen ?? "PASSIVE", line);
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Fact]
    public void Deterministic_algorithms_are_switched_on_through_libtorch_and_back_off()
    {
        try
        {
            Assert.Equal("deterministic algorithms only", TorchRuntime.UseDeterministicAlgorithms(true));
            Assert.True(TorchRuntime.DeterministicAlgorithmsOn);
        }
        finally
        {
            TorchRuntime.UseDeterministicAlgorithms(false);
        }
        Assert.False(TorchRuntime.DeterministicAlgorithmsOn);
    }
}
