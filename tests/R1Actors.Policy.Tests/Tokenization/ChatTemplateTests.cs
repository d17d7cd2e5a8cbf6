using R1Actors.Policy.Tokenization;

namespace R1Actors.Policy.Tests.Tokenization;

// Expected renderings come from @huggingface/jinja (transformers.js' template engine) running the real Qwen3
// chat_template of tokenizer_config.json, and a Qwen2.5-style template (Reference/qwen2.5-chat-template.jinja);
// see Reference/qwen_tokenizer_reference.mjs.
public class ChatTemplateTests
{
    private static IChatTemplate Qwen3 => ChatTemplates.Load(Path.Combine(QwenTokenizerFiles.Folder, "tokenizer_config.json"));

    public static TheoryData<ChatMessage[], bool, bool, string> Qwen3Renderings => new()
    {
        { [new("user", "What is 2+2?")], true, true, "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n" },
        {
            [new("system", "You are a helpful assistant."), new("user", "Hi"), new("assistant", "Hello!"), new("user", "Solve x+1=2")], true, true,
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nSolve x+1=2<|im_end|>\n<|im_start|>assistant\n"
        },
        {
            [new("user", "2+2?"), new("assistant", "<think>\nadd them\n</think>\n\nIt is 4.")], false, true,
            "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nadd them\n</think>\n\nIt is 4.<|im_end|>\n"
        },
        {
            [new("user", "first"), new("assistant", "<think>\nhidden\n</think>\n\nanswer one"), new("user", "second")], true, true,
            "<|im_start|>user\nfirst<|im_end|>\n<|im_start|>assistant\nanswer one<|im_end|>\n<|im_start|>user\nsecond<|im_end|>\n<|im_start|>assistant\n"
        },
        {
            [new("user", "no thinking please")], true, false,
            "<|im_start|>user\nno thinking please<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
        },
        {
            [new("system", "sys"), new("user", "q"), new("assistant", "plain answer")], false, true,
            "<|im_start|>system\nsys<|im_end|>\n<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nplain answer<|im_end|>\n"
        },
    };

    [Theory]
    [MemberData(nameof(Qwen3Renderings))]
    public void Qwen3_template_renders_like_the_jinja_reference(ChatMessage[] messages, bool generationPrompt, bool thinking, string expected)
    {
        Assert.Equal("qwen3", Qwen3.Family);
        Assert.Equal(expected, Qwen3.Render(messages, generationPrompt, thinking));
    }

    [Fact]
    public void Qwen25_template_adds_its_default_system_turn_only_when_there_is_none()
    {
        var template = ChatTemplates.Detect(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "qwen2.5-chat-template.jinja")), "test");
        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
            template.Render([new("user", "What is 2+2?")], addGenerationPrompt: true));
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n",
            template.Render([new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello!")], addGenerationPrompt: false));
    }

    [Fact]
    public void Unknown_template_family_is_refused_naming_the_file()
    {
        const string llama3 = "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\n{{ m.content }}<|eot_id|>{% endfor %}";
        var error = Assert.Throws<TokenizerFormatException>(() => ChatTemplates.Detect(llama3, "models/llama/tokenizer_config.json"));
        Assert.Contains("models/llama/tokenizer_config.json", error.Message);
        Assert.Contains("ChatML", error.Message);
    }

    [Fact]
    public void Tool_turns_are_refused_rather_than_rendered_wrongly() =>
        Assert.Throws<ArgumentException>(() => Qwen3.Render([new("tool", "{}")], addGenerationPrompt: true));

    [Fact]
    public void R1_zero_prompt_asks_for_think_and_answer_tags_and_ends_with_assistant()
    {
        var prompt = new R1ZeroPromptFormat().Render("What is 7 * 6?");
        Assert.StartsWith("A conversation between User and Assistant.", prompt);
        Assert.Contains("<think> reasoning process here </think> <answer> answer here </answer>", prompt);
        Assert.EndsWith("User: What is 7 * 6?. Assistant:", prompt);
        Assert.Throws<ArgumentException>(() => new R1ZeroPromptFormat("no placeholder"));
    }

    [Fact]
    public void Chat_prompt_format_renders_system_and_question_with_the_generation_prompt()
    {
        var prompt = new ChatPromptFormat(Qwen3, systemPrompt: "Think first.").Render("2+2?");
        Assert.Equal("<|im_start|>system\nThink first.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n", prompt);
        var ids = QwenTokenizerFiles.Tokenizer.Encode(prompt);
        Assert.Equal(151644, ids[0]);
        Assert.Equal([151644, 77091, 198], ids.TakeLast(3));
    }

    [Fact]
    public void Conversations_render_whole_in_chat_format_and_by_their_last_user_turn_in_r1_zero_format()
    {
        ChatMessage[] conversation = [new("user", "first"), new("assistant", "ok"), new("user", "3+4?")];
        Assert.Equal(
            "<|im_start|>system\nBe exact.<|im_end|>\n<|im_start|>user\nfirst<|im_end|>\n<|im_start|>assistant\nok<|im_end|>\n<|im_start|>user\n3+4?<|im_end|>\n<|im_start|>assistant\n",
            new ChatPromptFormat(Qwen3, "Be exact.").Render(conversation));
        Assert.EndsWith("User: 3+4?. Assistant:", new R1ZeroPromptFormat().Render(conversation));
        Assert.Throws<ArgumentException>(() => new R1ZeroPromptFormat().Render([new ChatMessage("system", "x")]));
    }
}
