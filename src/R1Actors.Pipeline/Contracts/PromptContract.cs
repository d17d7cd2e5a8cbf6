using R1Actors.Rewards;

namespace R1Actors.Pipeline.Contracts;

/// <summary>One turn of a chat prompt, as the dataset wrote it (<c>system</c>, <c>user</c>, <c>assistant</c>).</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>What the policy is asked: plain text or chat messages. The sampler port applies the chat template.</summary>
public abstract record PromptContent;

/// <summary>A plain-text question; the sampler port wraps it as a single user turn.</summary>
public sealed record TextPrompt(string Text) : PromptContent;

/// <summary>A prompt given as chat messages, in order.</summary>
public sealed record ChatPrompt(IReadOnlyList<ChatMessage> Messages) : PromptContent;

/// <summary>A question and how its answers are judged. <see cref="Id"/> is stable across runs (dataset id or file:line).</summary>
public sealed record Prompt(string Id, PromptContent Content, TaskSpec Task);

/// <summary>
/// Where a prompt sits in the training stream: the epoch and the position inside that epoch's shuffled order.
/// Checkpoints store the cursor of the next prompt not yet trained on, so a resumed run continues there.
/// </summary>
public readonly record struct PromptCursor(long Epoch, long Position)
{
    public override string ToString() => $"epoch {Epoch}, position {Position}";
}

/// <summary>
/// A prompt as issued into the pipeline. <see cref="Ordinal"/> counts prompts from the start of the run
/// (epoch × dataset size + position) and orders them; <see cref="Cursor"/> is the same place for people and files.
/// </summary>
public sealed record IssuedPrompt(long Ordinal, PromptCursor Cursor, Prompt Prompt);
