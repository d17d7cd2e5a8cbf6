using static TorchSharp.torch;

namespace R1Actors.Policy.Model;

/// <summary>The floating-point dtypes a model may compute in, by their Hugging Face / PyTorch names.</summary>
public static class Dtypes
{
    private static readonly (string Name, ScalarType Type)[] Known =
    [
        ("float32", ScalarType.Float32),
        ("bfloat16", ScalarType.BFloat16),
        ("float16", ScalarType.Float16),
    ];

    public static ScalarType Parse(string name, string key, string source) =>
        Known.FirstOrDefault(k => k.Name == name) is { Name: not null } found
            ? found.Type
            : throw new ModelFormatException(
                $"{source}: key '{key}' is '{name}'; expected one of {string.Join(", ", Known.Select(k => k.Name))}.");

    public static string Name(ScalarType type) =>
        Known.FirstOrDefault(k => k.Type == type) is { Name: not null } found
            ? found.Name
            : throw new ArgumentException($"dtype {type} is not a model dtype (float32, bfloat16, float16).", nameof(type));
}
