using System.Diagnostics;

namespace R1Actors.Simulation;

/// <summary>
/// Occupies the calling thread for a given time, as a device or a CPU-bound check would: sleeps the whole
/// milliseconds, then spins only the fraction of a millisecond that sleeping cannot resolve.
/// </summary>
public static class SimulatedWork
{
    public static void Spend(TimeSpan cost)
    {
        if (cost <= TimeSpan.Zero)
            return;
        var started = Stopwatch.GetTimestamp();
        var wholeMilliseconds = (int)cost.TotalMilliseconds;
        if (wholeMilliseconds > 0)
            Thread.Sleep(wholeMilliseconds);
        while (Stopwatch.GetElapsedTime(started) < cost)
            Thread.SpinWait(64);
    }
}
