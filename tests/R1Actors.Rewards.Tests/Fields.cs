using System.Text.Json;

namespace R1Actors.Rewards.Tests;

/// <summary>Builds <see cref="TaskSpec.Fields"/> from C# values for tests.</summary>
internal static class Fields
{
    public static IReadOnlyDictionary<string, JsonElement> Of(params (string Name, object Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => JsonSerializer.SerializeToElement(f.Value));
}
