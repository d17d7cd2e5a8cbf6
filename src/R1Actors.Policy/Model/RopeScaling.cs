using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>
/// How a config's <c>rope_scaling</c> changes the rotary inverse frequencies. One small type per
/// <c>rope_type</c>; an unknown type stops loading with an error naming the key.
/// </summary>
public interface IRopeScaling
{
    /// <summary>(D/2) float32 inverse frequencies → the scaled ones, same shape.</summary>
    Tensor Scale(Tensor inverseFrequencies);

    /// <summary>The <c>rope_scaling</c> value to write to config.json (null for none).</summary>
    JsonNode? ToJson();
}

public sealed class NoRopeScaling : IRopeScaling
{
    public static readonly NoRopeScaling Instance = new();
    public Tensor Scale(Tensor inverseFrequencies) => inverseFrequencies;
    public JsonNode? ToJson() => null;
}

/// <summary>Position interpolation: every frequency divided by <c>factor</c>.</summary>
public sealed record LinearRopeScaling(double Factor) : IRopeScaling
{
    public Tensor Scale(Tensor inverseFrequencies) => inverseFrequencies / Factor;
    public JsonNode? ToJson() => new JsonObject { ["rope_type"] = "linear", ["factor"] = Factor };
}

/// <summary>
/// Llama 3.1's scaling: long wavelengths divided by <c>factor</c>, short ones kept, the band between
/// interpolated smoothly (as Hugging Face's <c>_compute_llama3_parameters</c>).
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions)
    : IRopeScaling
{
    public Tensor Scale(Tensor inverseFrequencies)
    {
        var lowFreqWavelength = OriginalMaxPositions / LowFreqFactor;
        var highFreqWavelength = OriginalMaxPositions / HighFreqFactor;
        var wavelength = 2 * Math.PI / inverseFrequencies;
        var scaled = where(wavelength > lowFreqWavelength, inverseFrequencies / Factor, inverseFrequencies);
        var smooth = (OriginalMaxPositions / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        var smoothed = (1 - smooth) * scaled / Factor + smooth * scaled;
        var medium = (wavelength >= highFreqWavelength).logical_and(wavelength <= lowFreqWavelength);
        return where(medium, smoothed, scaled);
    }

    public JsonNode? ToJson() => new JsonObject
    {
        ["rope_type"] = "llama3",
        ["factor"] = Factor,
        ["low_freq_factor"] = LowFreqFactor,
        ["high_freq_factor"] = HighFreqFactor,
        ["original_max_position_embeddings"] = OriginalMaxPositions,
    };
}

internal static class RopeScalingJson
{
    public static IRopeScaling Read(JsonNode? node, string source)
    {
        if (node is null)
            return NoRopeScaling.Instance;
        if (node is not JsonObject obj)
            throw new ModelFormatException($"{source}: key 'rope_scaling' must be an object or null.");
        var type = (obj["rope_type"] ?? obj["type"])?.GetValue<string>()
            ?? throw new ModelFormatException($"{source}: key 'rope_scaling' has no 'rope_type'.");
        return type switch
        {
            "default" => NoRopeScaling.Instance,
            "linear" => new LinearRopeScaling(Number(obj, "factor", source)),
            "llama3" => new Llama3RopeScaling(
                Number(obj, "factor", source), Number(obj, "low_freq_factor", source),
                Number(obj, "high_freq_factor", source), (int)Number(obj, "original_max_position_embeddings", source)),
            _ => throw new ModelFormatException(
                $"{source}: key 'rope_scaling.rope_type' is '{type}'; R1Actors implements default, linear and llama3."),
        };
    }

    private static double Number(JsonObject obj, string key, string source) =>
        obj[key] is JsonValue v && v.TryGetValue<double>(out var d)
            ? d
            : throw new ModelFormatException($"{source}: key 'rope_scaling.{key}' must be a number.");
}
