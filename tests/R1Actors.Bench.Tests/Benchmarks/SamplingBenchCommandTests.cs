using R1Actors.Cli;
using R1Actors.Tests;

namespace R1Actors.Bench.Tests.Benchmarks;

/// <summary><c>r1actors-bench sampling</c>'s options, checked before anything is measured.</summary>
public sealed class SamplingBenchCommandTests
{
    [Theory]
    [InlineData("--long-tail-groups: expected at least 8, got 4", "--long-tail-groups", "4")]
    [InlineData("--long-tail-decoder-groups: expected 0 or at least 8, got 3", "--long-tail-decoder-groups", "3")]
    [InlineData("--long-tail-decoder-groups: expected 0 or at least 8, got -1", "--long-tail-decoder-groups", "-1")]
    [InlineData("--long-tail-pairs: expected at least 1, got 0", "--long-tail-pairs", "0")]
    [InlineData("--decode-attention: expected auto or libtorch, got 'fused'", "--decode-attention", "fused")]
    public void A_bad_long_tail_option_exits_with_code_2_and_says_what_was_wrong(string message, params string[] options)
    {
        var run = InProcessCommand.Capture(() => Program.Main(["sampling", "--long-tail-only", .. options]));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Long-tailed workload", run.Stdout, StringComparison.Ordinal);
    }
}
