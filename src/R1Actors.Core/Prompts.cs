using System.Text.Json;

namespace R1Actors.Core;

/// <summary>One turn of a chat prompt, as the dataset wrote it (<c>system</c>, <c>user</c>, <c>assistant</c>).</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>What the policy is asked: plain text or chat messages. The sampler applies the chat template.</summary>
public abstract record PromptContent;

/// <summary>A plain-text question; the sampler wraps it as a single user turn.</summary>
public sealed record TextPrompt(string Text) : PromptContent;

/// <summary>A prompt given as chat messages, in order.</summary>
public sealed record ChatPrompt(IReadOnlyList<ChatMessage> Messages) : PromptContent;

/// <summary>
/// What a prompt asks for and how its completions are judged. <see cref="Kind"/> names the reward function
/// (one of <see cref="TaskKinds"/>); <see cref="Fields"/> carries its data as the dataset wrote it
/// (<c>reference</c>; <c>numbers</c> and <c>target</c>; <c>tests</c>, <c>test_code</c>).
/// </summary>
public sealed record TaskSpec(string Kind, IReadOnlyDictionary<string, JsonElement> Fields);

/// <summary>The task kinds R1Actors verifies itself; a prompt's <see cref="TaskSpec.Kind"/> is one of these.</summary>
public static class TaskKinds
{
    /// <summary>A math answer checked for equivalence with <c>reference</c>.</summary>
    public const string Math = "math";

    /// <summary>An arithmetic expression over <c>numbers</c> that must equal <c>target</c>.</summary>
    public const string Countdown = "countdown";

    /// <summary>A program run in the sandbox against <c>tests</c> or <c>test_code</c>.</summary>
    public const string Code = "code";

    /// <summary>Only the <c>&lt;think&gt;…&lt;answer&gt;</c> format is scored.</summary>
    public const string Format = "format";

    /// <summary>The answer must equal <c>reference</c> after light normalisation.</summary>
    public const string Exact = "exact";

    /// <summary>A Knights and Knaves puzzle: the answer gives each of <c>names</c> the role in <c>roles</c>.</summary>
    public const string KnightsKnaves = "knights-knaves";

    /// <summary>A sudoku (4×4, 6×6 or 9×9) in <c>puzzle</c>: the answer's grid must keep its digits and obey the rules.</summary>
    public const string Sudoku = "sudoku";

    public static readonly IReadOnlyList<string> BuiltIn = [Math, Countdown, Code, Format, Exact, KnightsKnaves, Sudoku];
}

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
