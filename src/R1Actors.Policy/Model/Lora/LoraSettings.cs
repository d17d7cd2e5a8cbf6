namespace R1Actors.Policy.Model.Lora;

/// <summary>
/// A LoRA adapter's shape (<c>r1.training.lora</c>): W x + (α / r) · B A dropout(x) on each targeted projection,
/// A (r, in), B (out, r). The names of <see cref="TargetModules"/> are Hugging Face's and PEFT's, so an
/// <c>adapter_config.json</c> written from these settings means the same thing to PEFT.
/// </summary>
/// <param name="Rank">r, the adapter's inner size (≥ 1).</param>
/// <param name="Alpha">α; the update is scaled by α / r (PEFT's default, not rsLoRA's α / √r).</param>
/// <param name="Dropout">Dropout on the adapter's input while training (the base path never drops).</param>
/// <param name="TargetModules">Which projections of every decoder layer get an adapter.</param>
/// <param name="InitSeed">Seed of A's kaiming-uniform initialisation; B starts at zero.</param>
/// <param name="PublishBfloat16">
/// Publish each version's adapter to the samplers rounded to bfloat16 (half the bytes of float32); the learner,
/// its moments and the checkpoints stay float32. The sampler then holds the adapter to bfloat16's 8-bit mantissa,
/// so its log-probs differ from the learner's float32 ones by that rounding, which the per-token behaviour
/// log-probs already correct for. False publishes float32, exactly what the learner holds.
/// </param>
public sealed record LoraSettings(int Rank, double Alpha, double Dropout, IReadOnlyList<string> TargetModules, long InitSeed = 0,
    bool PublishBfloat16 = true)
{
    /// <summary>The projections of a decoder layer an adapter can sit on, under their Hugging Face names.</summary>
    public static readonly IReadOnlyList<string> KnownModules =
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>α / r.</summary>
    public double Scaling => Alpha / Rank;

    /// <summary>
    /// Why these settings cannot build an adapter, or null: rank ≤ 0, dropout outside [0, 1), no target, or a
    /// target this decoder does not have. The binder turns the reason into an error on the key it names.
    /// </summary>
    public (string Key, string Problem)? Problem()
    {
        if (Rank <= 0)
            return ("rank", $"expected a rank ≥ 1, got {Rank}");
        if (Dropout is < 0 or >= 1)
            return ("dropout", $"expected a dropout probability in [0, 1), got {Dropout}");
        if (TargetModules.Count == 0)
            return ("target-modules", $"expected at least one of {string.Join(", ", KnownModules)}");
        var unknown = TargetModules.Where(m => !KnownModules.Contains(m, StringComparer.Ordinal)).ToArray();
        return unknown.Length > 0
            ? ("target-modules", $"the model has no module named {string.Join(", ", unknown.Select(u => $"\"{u}\""))}; the decoder's projections are {string.Join(", ", KnownModules)}")
            : null;
    }
}
