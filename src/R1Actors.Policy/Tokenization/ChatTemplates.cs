using System.Text;
using System.Text.RegularExpressions;

namespace R1Actors.Policy.Tokenization;

/// <summary>
/// Renders conversations the way a model's own chat template (tokenizer_config.json's Jinja
/// <c>chat_template</c>) does. R1Actors does not run Jinja: each template family it knows is a small type
/// that reproduces that family's output, and <see cref="ChatTemplates.Detect"/> refuses any other template
/// rather than render something the model was not trained on.
/// </summary>
public interface IChatTemplate
{
    string Family { get; }

    /// <param name="enableThinking">Qwen3's switch: false pre-fills an empty think block after the generation prompt.</param>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking = true);
}

public static class ChatTemplates
{
    public static IChatTemplate Detect(string template, string source)
    {
        if (!template.Contains("<|im_start|>", StringComparison.Ordinal))
            throw new TokenizerFormatException(
                $"{source}: the chat template is not one R1Actors renders (it knows Qwen's ChatML families: Qwen3 and Qwen2/2.5/plain ChatML). "
                + "Use the r1-zero prompt format, or a model whose template is ChatML.");
        if (template.Contains("reasoning_content", StringComparison.Ordinal))
            return new Qwen3ChatTemplate();
        return new ChatMlTemplate(DefaultSystemPrompt(template));
    }

    /// <summary>The chat template of tokenizer_config.json; a missing file or template is an error naming it.</summary>
    public static IChatTemplate Load(string tokenizerConfigPath) =>
        Detect(TokenizerConfig.ChatTemplate(tokenizerConfigPath)
            ?? throw new TokenizerFormatException($"{tokenizerConfigPath}: missing key 'chat_template' (or the file)."), tokenizerConfigPath);

    // Qwen2/2.5 templates write a default system turn when the conversation has none: '<|im_start|>system\n…<|im_end|>\n'.
    private static string? DefaultSystemPrompt(string template)
    {
        var match = Regex.Match(template, @"'<\|im_start\|>system\\n((?:[^'\\]|\\.)*)<\|im_end\|>\\n'");
        return match.Success ? Regex.Unescape(match.Groups[1].Value) : null;
    }

    internal static void CheckRoles(IReadOnlyList<ChatMessage> messages)
    {
        foreach (var message in messages)
            if (message.Role is not ("system" or "user" or "assistant"))
                throw new ArgumentException($"chat role '{message.Role}' is not rendered by R1Actors (system, user, assistant)");
    }
}

/// <summary>
/// ChatML as Qwen2 / Qwen2.5 templates write it: every turn <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, a
/// default system turn first when the template has one and the conversation starts without a system message.
/// </summary>
internal sealed class ChatMlTemplate(string? defaultSystemPrompt) : IChatTemplate
{
    public string Family => defaultSystemPrompt is null ? "chatml" : "qwen2-chatml";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking = true)
    {
        ChatTemplates.CheckRoles(messages);
        var text = new StringBuilder();
        if (defaultSystemPrompt is not null && (messages.Count == 0 || messages[0].Role != "system"))
            Turn(text, "system", defaultSystemPrompt);
        foreach (var message in messages)
            Turn(text, message.Role, message.Content);
        if (addGenerationPrompt)
            text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }

    internal static void Turn(StringBuilder text, string role, string content) =>
        text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
}

/// <summary>
/// Qwen3's template (without tools): assistant turns after the last user message carry their reasoning in a
/// <c>&lt;think&gt;</c> block (empty for the final turn when there is none), earlier turns lose it; with thinking
/// disabled the generation prompt is followed by an empty think block.
/// </summary>
internal sealed class Qwen3ChatTemplate : IChatTemplate
{
    public string Family => "qwen3";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking = true)
    {
        ChatTemplates.CheckRoles(messages);
        var text = new StringBuilder();
        var lastQuery = Enumerable.Range(0, messages.Count).LastOrDefault(i => messages[i].Role == "user", messages.Count - 1);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role != "assistant")
                ChatMlTemplate.Turn(text, message.Role, message.Content);
            else
                text.Append(Assistant(message.Content, afterLastQuery: i > lastQuery, last: i == messages.Count - 1)).Append("<|im_end|>\n");
        }
        if (addGenerationPrompt)
            text.Append("<|im_start|>assistant\n").Append(enableThinking ? "" : "<think>\n\n</think>\n\n");
        return text.ToString();
    }

    private static string Assistant(string content, bool afterLastQuery, bool last)
    {
        var reasoning = "";
        const string close = "</think>";
        if (content.Contains(close, StringComparison.Ordinal))
        {
            var before = content[..content.IndexOf(close, StringComparison.Ordinal)].TrimEnd('\n');
            reasoning = before[(before.LastIndexOf("<think>", StringComparison.Ordinal) is var open and >= 0 ? open + "<think>".Length : 0)..].TrimStart('\n');
            content = content[(content.LastIndexOf(close, StringComparison.Ordinal) + close.Length)..].TrimStart('\n');
        }
        return afterLastQuery && (last || reasoning.Length > 0)
            ? $"<|im_start|>assistant\n<think>\n{reasoning.Trim('\n')}\n</think>\n\n{content.TrimStart('\n')}"
            : $"<|im_start|>assistant\n{content}";
    }
}
