namespace R1Actors.Pipeline.Contracts;

// The sampling protocol between the pipeline and one device. The executable adapts the real policy
// (R1Actors.Policy: a model replica, KV-cache sampling) to ISamplerPort; tests and the bench use simulated
// devices. Weights never travel through the pipeline: the learner side owns a versioned weight store, the
// pipeline passes only version numbers, and the port reads the store when told to apply a version.

/// <summary>
/// A batch for one <see cref="ISamplerPort.Generate"/> call: <see cref="GroupSize"/> completions for each prompt.
/// Sample g of prompt p draws from the seed (<see cref="RunSeed"/>, <see cref="PolicyVersion"/>,
/// <c>p.Ordinal</c>, g), which is what R1Actors.Policy's <c>GenerationRequest.ForStep(prompts, G, RunSeed,
/// PolicyVersion, ordinals)</c> derives, so any rollout can be reproduced alone.
/// </summary>
public sealed record SampleBatch(IReadOnlyList<IssuedPrompt> Prompts, int GroupSize, ulong RunSeed, long PolicyVersion);

/// <summary>
/// A policy replica on one device. Every call comes from the same dedicated thread (the sampler actor's pinned
/// dispatcher), one at a time, so an implementation may keep torch state and dispose scopes on that thread;
/// nothing here is async. A port that throws is disposed and replaced by a fresh one from its factory.
/// </summary>
public interface ISamplerPort : IDisposable
{
    /// <summary>The weights version this replica holds now.</summary>
    long PolicyVersion { get; }

    /// <summary>
    /// Loads the given version from the learner's weight store. Called only between batches, never during
    /// <see cref="Generate"/>; the version is always one the learner has finished publishing.
    /// </summary>
    void ApplyWeights(long version);

    /// <summary>
    /// Samples <see cref="SampleBatch.GroupSize"/> completions for every prompt of the batch with the current
    /// weights. Returns them grouped by prompt in batch order, each stamped with <see cref="PolicyVersion"/>.
    /// </summary>
    IReadOnlyList<Rollout> Generate(SampleBatch batch);
}

/// <summary>
/// A replica that batches continuously: prompts are queued one at a time and their groups come back from
/// <see cref="Step"/> as soon as each group's last sample finishes, while other rows go on. Same threading as
/// <see cref="ISamplerPort"/>. <see cref="ISamplerPort.ApplyWeights"/> may come between two steps with rows in
/// flight; each token then records the version that drew it.
/// </summary>
public interface IContinuousSamplerPort : ISamplerPort
{
    /// <summary>Queues G samples of a prompt, seeded from (run seed, the version held now, ordinal, sample).</summary>
    void Enqueue(IssuedPrompt prompt, int groupSize, ulong runSeed);

    /// <summary>Rows in flight or waiting for a slot.</summary>
    bool HasWork { get; }

    /// <summary>Room for another prompt: the rows waiting for a slot do not fill the free slots.</summary>
    bool WantsMore { get; }

    /// <summary>Rows in flight: the version held now has drawn, or will draw, tokens of these.</summary>
    int RowsInFlight { get; }

    /// <summary>
    /// One decode step (waiting rows take free slots first); returns the groups that finished, G rollouts each
    /// in sample order, each rollout stamped with the version of its oldest token (what the staleness gate checks).
    /// </summary>
    IReadOnlyList<IReadOnlyList<Rollout>> Step();

    /// <summary>Rows in flight summed over decode steps, and slots × decode steps, since the port was made.</summary>
    (long ActiveRowSteps, long SlotSteps) Occupancy { get; }
}

/// <summary>Makes a sampler port for a device named in config (<c>cpu</c>, <c>cuda:0</c>, …); called again after a crash.</summary>
public interface ISamplerPortFactory
{
    ISamplerPort Create(string device);
}
