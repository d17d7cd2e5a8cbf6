namespace R1Actors.Policy.Model;

/// <summary>
/// Checks a set of named tensors against what a model expects, before a single weight is copied: every
/// parameter present, every shape equal, nothing unknown. A model is therefore either loaded completely
/// or not touched — never partly random.
/// </summary>
internal static class WeightMatching
{
    private const int MaxListed = 8;

    /// <param name="provided">Name → shape of the tensors on offer.</param>
    /// <param name="locate">Name → where that tensor was found (a file), for messages.</param>
    /// <param name="source">The folder or snapshot the tensors come from, for messages.</param>
    public static void Check(CausalLanguageModel model, IReadOnlyDictionary<string, long[]> provided,
        Func<string, string> locate, string source)
    {
        var problems = new List<string>();
        var expected = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        foreach (var (name, shape) in expected)
        {
            if (!provided.TryGetValue(name, out var found))
                problems.Add($"missing tensor '{name}' (shape [{string.Join(", ", shape)}])");
            else if (!found.SequenceEqual(shape))
                problems.Add($"tensor '{name}' in {locate(name)} has shape [{string.Join(", ", found)}], the config needs [{string.Join(", ", shape)}]");
        }
        foreach (var name in provided.Keys.Where(n => !expected.ContainsKey(n) && !Ignorable(n, model.Config)))
            problems.Add($"unexpected tensor '{name}' in {locate(name)} (not part of a {model.Config.Family.ModelType} model with this config)");
        if (problems.Count > 0)
            throw new ModelFormatException(
                $"{source}: weights do not match the model config: {string.Join("; ", problems.Take(MaxListed))}"
                + (problems.Count > MaxListed ? $"; and {problems.Count - MaxListed} more." : "."));
    }

    /// <summary>The same check for a LoRA adapter's tensors (PEFT's names inside the model, without the file's prefix).</summary>
    public static void CheckAdapter(Lora.LoraAdapter adapter, IReadOnlyDictionary<string, long[]> provided, Func<string, string> locate, string source)
    {
        var problems = new List<string>();
        var expected = adapter.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.shape);
        foreach (var (name, shape) in expected)
        {
            if (!provided.TryGetValue(name, out var found))
                problems.Add($"missing adapter tensor '{name}' (shape [{string.Join(", ", shape)}])");
            else if (!found.SequenceEqual(shape))
                problems.Add($"adapter tensor '{name}' in {locate(name)} has shape [{string.Join(", ", found)}], the model and r1.training.lora need [{string.Join(", ", shape)}]");
        }
        foreach (var name in provided.Keys.Where(n => !expected.ContainsKey(n)))
            problems.Add($"unexpected adapter tensor '{name}' in {locate(name)} (r1.training.lora.target-modules does not target it)");
        if (problems.Count > 0)
            throw new ModelFormatException(
                $"{source}: the LoRA adapter does not match the model: {string.Join("; ", problems.Take(MaxListed))}"
                + (problems.Count > MaxListed ? $"; and {problems.Count - MaxListed} more." : "."));
    }

    /// <summary>Tensors Hugging Face also skips: rotary tables of old checkpoints, and lm_head when tied to the embedding.</summary>
    public static bool Ignorable(string name, ModelConfig config) =>
        name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
        || (config.TieWordEmbeddings && name == "lm_head.weight");
}
