using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace R1Actors.Policy;

/// <summary>
/// Process-wide libtorch settings, applied once at start-up before the first tensor is made.
/// <para>
/// OpenMP threads of libtorch spin while they wait for work by default. R1Actors runs several torch-owning
/// threads at once (samplers, the learner) next to the verifiers, and spinning threads then steal the cores the
/// others need: on the 2-core development machine under load a 256×128×128 linear took 2.6–17 ms spinning
/// against 0.11 ms with passive waiting. So unless the environment already says otherwise,
/// <c>OMP_WAIT_POLICY=PASSIVE</c> is set in the process environment (through libc, where the OpenMP runtime
/// reads it when libtorch loads).
/// </para>
/// </summary>
public static partial class TorchRuntime
{
    private const string WaitPolicy = "OMP_WAIT_POLICY";

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    /// <summary>Sets the wait policy and the intra-op thread count (0 = one per core); returns a line for the start-up log.</summary>
    public static string Configure(int threads)
    {
        var policy = Environment.GetEnvironmentVariable(WaitPolicy);
        if (policy is null && OperatingSystem.IsLinux())
        {
            try
            {
                policy = SetEnv(WaitPolicy, "PASSIVE", overwrite: 0) == 0 ? "PASSIVE" : "default (setenv failed)";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                policy = "default (no libc setenv)";
            }
        }
        var count = threads > 0 ? threads : Environment.ProcessorCount;
        set_num_threads(count);
        return $"libtorch {count} intra-op threads, OpenMP wait policy {policy ?? "default"}";
    }
}
