using System.Diagnostics;
using static TorchSharp.torch;

namespace R1Actors.Benchmarks;

/// <summary>
/// The matrix-product ceiling of this machine as libtorch reaches it: the best float32 GFLOP/s of square
/// matmuls at a few sizes, measured in the same process and with the same thread count as the benchmark
/// it is compared with. Achieved GFLOP/s of a model divided by this is its efficiency.
/// </summary>
public static class MatmulCeiling
{
    public static double MeasureGflops(Device device, int[]? sizes = null, double secondsPerSize = 1.0)
    {
        var best = 0.0;
        foreach (var n in sizes ?? [512, 1024, 2048])
        {
            using var scope = NewDisposeScope();
            var a = randn(n, n, device: device);
            var b = randn(n, n, device: device);
            a.matmul(b);                                             // warm-up (allocations, kernel selection)
            var flops = 2.0 * n * n * n;
            var clock = Stopwatch.StartNew();
            var runs = 0;
            do
            {
                using var inner = NewDisposeScope();
                a.matmul(b).sum().item<float>();                     // .item forces completion on any device
                runs++;
            }
            while (clock.Elapsed.TotalSeconds < secondsPerSize);
            best = Math.Max(best, flops * runs / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
