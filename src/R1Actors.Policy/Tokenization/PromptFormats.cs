namespace R1Actors.Policy.Tokenization;

/// <summary>Turns a task's question into the prompt text the policy continues.</summary>
public interface IPromptFormat
{
    string Render(string question);

    /// <summary>A prompt given as chat turns (system, user, assistant), ready for the policy to continue.</summary>
    string Render(IReadOnlyList<ChatMessage> messages);
}

/// <summary>
/// The question as it is, after an optional fixed prefix (typically the begin-of-text token, which gives a small
/// model's attention somewhere to rest): for the built-in tiny models, whose tasks are written in the compact
/// form they were pretrained on (<c>&lt;|endoftext|&gt;123+45=</c>).
/// </summary>
public sealed class PlainPromptFormat(string prefix = "") : IPromptFormat
{
    public string Render(string question) => prefix + question;

    public string Render(IReadOnlyList<ChatMessage> messages) => prefix + string.Concat(messages.Select(m => m.Content));
}

/// <summary>
/// DeepSeek-R1-Zero's template (Table 1 of the paper) for base models: a plain-text conversation that asks
/// for reasoning in &lt;think&gt; … &lt;/think&gt; and the answer in &lt;answer&gt; … &lt;/answer&gt;, ending with
/// "Assistant:" for the model to continue. The text is configurable; it must contain <c>{question}</c>.
/// </summary>
public sealed class R1ZeroPromptFormat : IPromptFormat
{
    public const string Placeholder = "{question}";

    public const string DefaultTemplate =
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
        + "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. "
        + "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, "
        + "i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: {question}. Assistant:";

    private readonly string template;

    public R1ZeroPromptFormat(string template = DefaultTemplate)
    {
        if (!template.Contains(Placeholder, StringComparison.Ordinal))
            throw new ArgumentException($"the R1-Zero prompt template must contain {Placeholder}", nameof(template));
        this.template = template;
    }

    public string Render(string question) => template.Replace(Placeholder, question, StringComparison.Ordinal);

    /// <summary>The template has one question slot: a conversation contributes its last user turn.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages) =>
        Render(messages.LastOrDefault(m => m.Role == "user")?.Content
            ?? throw new ArgumentException("an R1-Zero prompt needs a user turn to take the question from"));
}

/// <summary>
/// For instruction-tuned models: the question as a user turn (optionally after a system turn, e.g. the
/// R1-Zero instructions) rendered by the model's own chat template with the generation prompt.
/// </summary>
public sealed class ChatPromptFormat(IChatTemplate template, string? systemPrompt = null, bool enableThinking = true) : IPromptFormat
{
    public string Render(string question) => Render([new ChatMessage("user", question)]);

    /// <summary>The turns as given, after the configured system turn when the conversation brings none.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        List<ChatMessage> turns = systemPrompt is not null && (messages.Count == 0 || messages[0].Role != "system")
            ? [new("system", systemPrompt), .. messages]
            : [.. messages];
        return template.Render(turns, addGenerationPrompt: true, enableThinking);
    }
}
