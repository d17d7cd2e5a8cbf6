using System.Runtime.InteropServices;

namespace R1Actors.Policy;

// libtorch's switch for deterministic algorithms (what torch.use_deterministic_algorithms, cudnn.deterministic
// and mkldnn.deterministic set in Python). TorchSharp 0.107 does not bind it, so it is called through libtorch's
// exported C++ API: at::globalContext() and its setters, whose this-pointer is the first argument.
public static partial class TorchRuntime
{
    private const string LibTorch = "libtorch_cpu";

    /// <summary>
    /// Turns libtorch's deterministic algorithms on or off: an operation without a deterministic kernel then
    /// throws, naming itself, instead of varying silently (on CUDA: atomics-based reductions, non-deterministic
    /// cuDNN and oneDNN choices). Returns a line for the start-up log.
    /// </summary>
    public static string UseDeterministicAlgorithms(bool on)
    {
        try
        {
            var context = GlobalContext();
            SetDeterministicAlgorithms(context, on, warnOnly: false);
            SetDeterministicCuDnn(context, on);
            SetDeterministicMkldnn(context, on);
            return DeterministicAlgorithms(context) == on
                ? $"deterministic algorithms {(on ? "only" : "off")}"
                : "deterministic algorithms: libtorch did not take the setting";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"deterministic algorithms unavailable ({e.Message})";
        }
    }

    /// <summary>Whether libtorch now runs deterministic algorithms only.</summary>
    public static bool DeterministicAlgorithmsOn => DeterministicAlgorithms(GlobalContext());

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint GlobalContext();

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context26setDeterministicAlgorithmsEbb")]
    private static partial void SetDeterministicAlgorithms(nint context, [MarshalAs(UnmanagedType.U1)] bool on, [MarshalAs(UnmanagedType.U1)] bool warnOnly);

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context21setDeterministicCuDNNEb")]
    private static partial void SetDeterministicCuDnn(nint context, [MarshalAs(UnmanagedType.U1)] bool on);

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context22setDeterministicMkldnnEb")]
    private static partial void SetDeterministicMkldnn(nint context, [MarshalAs(UnmanagedType.U1)] bool on);

    [LibraryImport(LibTorch, EntryPoint = "_ZNK2at7Context23deterministicAlgorithmsEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool DeterministicAlgorithms(nint context);
}
