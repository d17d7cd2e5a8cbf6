using R1Actors.Adapters;
using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Model.Lora;
using R1Actors.Policy.Settings;
using R1Actors.Training.Weights;

namespace R1Actors.Daemon;

/// <summary>
/// Makes one policy replica per configured device, loaded from the run's base model folder (its shape and
/// tokenizer); the weights themselves always come from the learner's <see cref="WeightStore"/>. With LoRA
/// (<paramref name="lora"/>) each replica is the frozen base with an adapter, and versions move the adapter only.
/// With <see cref="SamplingSettings.Continuous"/> set, each port batches continuously. Called on the sampler actor's
/// own thread, and again after a sampler crash.
/// </summary>
public sealed class SamplerPortFactory(
    ModelSettings model, TokenizerSettings tokenizer, SamplingSettings sampling, WeightStore weights, LoraSettings? lora = null) : ISamplerPortFactory
{
    public ISamplerPort Create(string device)
    {
        var replica = PolicyReplica.Load(model, tokenizer, device, lora);
        return sampling.Continuous is { } slots
            ? new ContinuousSamplerPort(replica, weights, sampling.Options, slots, device)
            : new SamplerPort(replica, weights, sampling.Options, device);
    }
}
