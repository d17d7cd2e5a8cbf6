namespace R1Actors.Policy.Tokenization;

/// <summary>Turns a task's question into the prompt text the policy continues.</summary>
public interface IPromptFormat
{
    string Render(string question);
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
}

/// <summary>
/// For instruction-tuned models: the question as a user turn (optionally after a system turn, e.g. the
/// R1-Zero instructions) rendered by the model's own chat template with the generation prompt.
/// </summary>
public sealed class ChatPromptFormat(IChatTemplate template, string? systemPrompt = null, bool enableThinking = true) : IPromptFormat
{
    public string Render(string question)
    {
        List<ChatMessage> messages = systemPrompt is null ? [] : [new("system", systemPrompt)];
        messages.Add(new ChatMessage("user", question));
        return template.Render(messages, addGenerationPrompt: true, enableThinking);
    }
}
