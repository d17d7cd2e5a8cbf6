using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// Random initialisation as Hugging Face's <c>_init_weights</c> for these families: linear and embedding
/// weights ~ N(0, initializer_range²), biases 0, RMSNorm scales 1. Seeded, so a given (config, seed) gives
/// the same weights on every run.
/// </summary>
public static class ModelInitializer
{
    public static CausalLanguageModel CreateRandom(ModelConfig config, ScalarType dtype, Device device, long seed)
    {
        var model = CausalLanguageModel.CreateEmpty(config, dtype, device);
        Initialize(model, seed);
        return model;
    }

    public static void Initialize(CausalLanguageModel model, long seed)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed, model.Device);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                parameter.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
                parameter.zero_();
            else
                parameter.normal_(0, model.Config.InitializerRange, generator);
        }
        model.MarkWeightsComplete(true);
    }
}
