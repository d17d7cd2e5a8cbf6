using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>The safetensors dtype codes R1Actors reads and writes, with their torch types and widths.</summary>
internal static class SafetensorsDtypes
{
    private static readonly (string Code, ScalarType Type, int Bytes)[] Known =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    public static (ScalarType Type, int Bytes) FromCode(string code, string source, string tensor) =>
        Known.FirstOrDefault(k => k.Code == code) is { Code: not null } found
            ? (found.Type, found.Bytes)
            : throw new ModelFormatException(
                $"{source}: tensor '{tensor}' has dtype '{code}'; R1Actors reads {string.Join(", ", Known.Select(k => k.Code))}.");

    public static (string Code, int Bytes) FromType(ScalarType type, string tensor) =>
        Known.FirstOrDefault(k => k.Type == type) is { Code: not null } found
            ? (found.Code, found.Bytes)
            : throw new ArgumentException($"tensor '{tensor}' has dtype {type}, which safetensors files written by R1Actors do not hold.");
}
