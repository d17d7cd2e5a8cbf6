using R1Actors.Policy.Sampling;

namespace R1Actors.Policy.Settings;

/// <summary><c>r1.model</c>: which policy to load, or the shape of the built-in tiny one.</summary>
/// <param name="Path">Hugging Face model folder; empty = the built-in tiny character-level model.</param>
/// <param name="Dtype">float32, bfloat16, float16, or auto (the folder's torch_dtype; float32 for the tiny model).</param>
public sealed record ModelSettings(string Path, string Dtype, TinyModelSettings Tiny);

/// <summary><c>r1.model.tiny</c>: the built-in Llama-shaped character-level demo model.</summary>
public sealed record TinyModelSettings(
    int HiddenSize, int Layers, int Heads, int KvHeads, int IntermediateSize, int MaxPositions, double RopeTheta, long InitSeed);

/// <summary><c>r1.tokenizer</c>: how a task's question becomes the prompt text.</summary>
/// <param name="PromptFormat">"r1-zero" (plain-text R1-Zero template, for base models) or "chat" (the model's chat template).</param>
/// <param name="R1ZeroTemplate">The R1-Zero prompt text, with {question}.</param>
/// <param name="SystemPrompt">chat: system turn before the question; empty = none.</param>
/// <param name="EnableThinking">chat, Qwen3: false pre-fills an empty think block.</param>
public sealed record TokenizerSettings(string PromptFormat, string R1ZeroTemplate, string SystemPrompt, bool EnableThinking, string PlainPrefix = "");

/// <summary><c>r1.sampling</c>, as the generator's options (EOS ids are added from the model and tokenizer).</summary>
public sealed record SamplingSettings(SamplingOptions Options)
{
    /// <summary><c>r1.sampling.batching = continuous</c>: the slot cache of each sampler; null samples static batches.</summary>
    public ContinuousBatchingSettings? Continuous { get; init; }
}

/// <summary>Each sampler's slot cache for continuous batching: rows in flight and tokens (prompt + completion) per row.</summary>
public sealed record ContinuousBatchingSettings(int Slots, int SlotTokens);
