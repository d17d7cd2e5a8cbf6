using static TorchSharp.torch;

namespace R1Actors.Training.Checkpoints;

/// <summary>
/// <c>rng_state.json</c>: the state of torch's default CPU generator (the only random source the learner's
/// thread draws from; sampling uses its own generators seeded per sample, and the pipeline keeps its random
/// state in the trainer state's pipeline blob).
/// </summary>
public sealed record RngState(string TorchCpu)
{
    public const string FileName = "rng_state.json";

    public static RngState Capture()
    {
        using var state = get_rng_state();
        return new RngState(Convert.ToBase64String(state.bytes));
    }

    public void Apply()
    {
        var bytes = Convert.FromBase64String(TorchCpu);
        using var state = tensor(bytes, ScalarType.Byte);
        set_rng_state(state);
    }
}
