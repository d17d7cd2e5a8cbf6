using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// The libtorch intra-op threads a sampler's decode steps run on. A step whose matmuls come to less than
/// <see cref="OneThreadBelowFlops"/> runs on one thread, whatever <c>r1.torch.threads</c> says: its operations
/// are microseconds long, and under passive OpenMP waiting (<see cref="TorchRuntime"/>) each one that opens a
/// parallel region waits for a sleeping thread to wake, which costs more than the second thread saves (the
/// OpenBLAS that PyTorch ships makes the same choice for small products). Measured on the 2-core development
/// machine, the tiny demo model: 4 × 2 rows × 256 new tokens 2,300–2,500 tokens/s on two threads against
/// 5,000–5,800 on one, 32 × 8 rows × 10 tokens 10,200–12,900 against 17,500–20,000. Larger steps (the
/// Qwen2.5-0.5B shape at 4 rows, 4 GFLOP) keep the configured count.
/// </summary>
/// <remarks>
/// The lowered count is libtorch's only: attention over the cache (<see cref="DecodeAttention"/>) still splits a
/// step's (row, kv head) pairs over the configured count when the step reads enough keys. It is one hand-off per
/// layer for a read of megabytes, bound by memory bandwidth, which two cores of this machine have almost twice of
/// (tiny model, long-tailed workload, alternating runs: continuous batching 8,812 → 10,192 and 10,501 → 11,694
/// tokens/s in the steady state, static batches 4,753 → 4,901 and 4,380 → 4,506).
/// libtorch keeps the count per calling thread (OpenMP's and MKL's thread-local settings), so a sampler's scope
/// leaves a learner on another thread as it is; the count is restored when the scope ends.
/// </remarks>
internal readonly struct ForwardThreads : IDisposable
{
    public const double OneThreadBelowFlops = 1e9;

    private readonly int restore;
    private readonly int restoreAttention;

    private ForwardThreads(int restore, int restoreAttention)
    {
        this.restore = restore;
        this.restoreAttention = restoreAttention;
    }

    /// <summary>One thread until disposed when a decode step of <paramref name="rows"/> rows is below the bar; otherwise nothing changes.</summary>
    public static ForwardThreads ForDecodeStep(ModelConfig config, long rows)
    {
        var configured = get_num_threads();
        if (configured == 1 || rows * config.FlopsPerToken(1) >= OneThreadBelowFlops)
            return default;
        set_num_threads(1);
        var attention = DecodeAttention.StepThreads;
        DecodeAttention.StepThreads = configured;
        return new ForwardThreads(configured, attention);
    }

    public void Dispose()
    {
        if (restore > 0)
        {
            set_num_threads(restore);
            DecodeAttention.StepThreads = restoreAttention;
        }
    }
}
