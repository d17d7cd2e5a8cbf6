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
/// <para>
/// Deterministic runs (<c>r1.run.deterministic</c>) also pin the numerics, the same way: oneMKL's conditional
/// numerical reproducibility (<c>MKL_CBWR=AUTO</c>: the same results run after run for a fixed thread count,
/// whatever the memory alignment), cuBLAS's fixed workspace (<c>CUBLAS_WORKSPACE_CONFIG=:4096:8</c>, which its
/// deterministic mode requires), and libtorch's deterministic algorithms (see <see cref="UseDeterministicAlgorithms"/>).
/// </para>
/// </summary>
public static partial class TorchRuntime
{
    private const string WaitPolicy = "OMP_WAIT_POLICY";

    private static readonly (string Name, string Value)[] DeterministicEnvironment =
    [
        ("MKL_CBWR", "AUTO"),
        ("CUBLAS_WORKSPACE_CONFIG", ":4096:8"),
    ];

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// Sets the wait policy and the intra-op thread count (0 = one per core) and, for deterministic runs, pins
    /// the numerics; returns a line for the start-up log.
    /// </summary>
    public static string Configure(int threads, bool deterministic = false)
    {
        var policy = SetDefault(WaitPolicy, "PASSIVE");
        var pinned = deterministic ? DeterministicEnvironment.Select(v => $"{v.Name}={SetDefault(v.Name, v.Value)}").ToArray() : [];
        var count = threads > 0 ? threads : Environment.ProcessorCount;
        set_num_threads(count);
        var line = $"libtorch {count} intra-op threads, OpenMP wait policy {policy}";
        return deterministic ? $"{line}; deterministic: {string.Join(", ", pinned)}, {UseDeterministicAlgorithms(true)}" : line;
    }

    /// <summary>Sets a variable the native libraries read, unless the environment already chose; returns the value in force.</summary>
    private static string SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { } chosen)
            return chosen;
        if (!OperatingSystem.IsLinux())
            return "default";
        try
        {
            return SetEnv(name, value, overwrite: 0) == 0 ? value : "default (setenv failed)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "default (no libc setenv)";
        }
    }
}
