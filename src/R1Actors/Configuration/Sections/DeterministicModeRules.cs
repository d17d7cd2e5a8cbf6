namespace R1Actors.Configuration.Sections;

/// <summary>
/// What <c>r1.run.deterministic = true</c> needs from the rest of the configuration, checked at start-up. Each rule
/// removes a way timing or the machine could change the weights: which device samples a prompt, which weights
/// version samples it, and how libtorch splits its reductions over threads. (The pipeline removes the others:
/// sampler batches cut by admission, groups in admission order; the torch runtime pins its numerics.)
/// </summary>
public static class DeterministicModeRules
{
    /// <summary>True when deterministic mode is on; throws, naming the key to change, when a rule is broken.</summary>
    public static bool Check(SettingsReader r, IReadOnlyList<string> devices)
    {
        if (!r.Bool("r1.run.deterministic"))
            return false;
        if (devices.Count != 1)
            throw r.Fail("r1.pipeline.devices", "r1.run.deterministic = true needs exactly one device: with several, which device samples which prompt depends on timing");
        if (r.Int("r1.pipeline.max-staleness", min: 0) != 0)
            throw r.Fail("r1.pipeline.max-staleness", "r1.run.deterministic = true needs max-staleness = 0: with k > 0 which weights sample a prompt depends on timing");
        if (r.Int("r1.torch.threads", min: 0) == 0)
            throw r.Fail("r1.torch.threads", "r1.run.deterministic = true needs a fixed thread count such as 1: 0 means one per core, and libtorch splits its sums by thread count, so another machine would round differently");
        return true;
    }
}
