using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;

namespace R1Actors.Policy.Tests;

public class PolicyReplicaTests
{
    private static readonly TinyModelSettings Tiny = new(32, 2, 4, 2, 48, 256, 10000, 3);
    private static readonly TokenizerSettings R1Zero = new("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true);

    private static PolicyReplica LoadTiny() => PolicyReplica.Load(new ModelSettings("", "auto", Tiny), R1Zero, "cpu");

    [Fact]
    public void Built_in_tiny_model_samples_g_completions_per_question_with_text_and_log_probs()
    {
        using var replica = LoadTiny();
        var prompts = new[] { replica.EncodePrompt("12+30"), replica.EncodePrompt("7*6") };
        Assert.EndsWith("User: 12+30. Assistant:", replica.Tokenizer.Decode(prompts[0]));
        var completions = replica.Sample(prompts, 3, [.. Enumerable.Range(0, 6).Select(i => (ulong)i)], new SamplingOptions { MaxNewTokens = 8 });
        Assert.Equal(6, completions.Count);
        Assert.Equal([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)], completions.Select(c => (c.Prompt, c.Sample)));
        Assert.All(completions, c =>
        {
            Assert.Equal(c.CompletionTokenIds.Count, c.LogProbs.Count);
            Assert.Equal(replica.Tokenizer.Decode(c.CompletionTokenIds, skipSpecialTokens: true), c.CompletionText);
            Assert.True(c.FinishReason == FinishReason.Length || c.CompletionTokenIds[^1] == replica.Tokenizer.EosTokenId);
        });
    }

    [Fact]
    public void Saved_tiny_model_with_its_tokenizer_loads_back_from_the_folder()
    {
        using var folder = new TempFolder();
        using var replica = LoadTiny();
        ModelFolder.Save(replica.Model, folder.Path);
        replica.SaveTokenizer(folder.Path, sourceFolder: null);
        using var loaded = PolicyReplica.Load(new ModelSettings(folder.Path, "auto", Tiny), R1Zero, "cpu");
        var prompt = new[] { replica.EncodePrompt("1+1") };
        var options = new SamplingOptions { MaxNewTokens = 6 };
        Assert.Equal(prompt[0], loaded.EncodePrompt("1+1"));
        Assert.Equal(replica.Sample(prompt, 2, [5, 6], options).Select(c => c.CompletionTokenIds),
            loaded.Sample(prompt, 2, [5, 6], options).Select(c => c.CompletionTokenIds));
    }

    [Fact]
    public void Chat_format_without_a_chat_template_is_refused()
    {
        var error = Assert.Throws<TokenizerFormatException>(() =>
            PolicyReplica.Load(new ModelSettings("", "auto", Tiny), R1Zero with { PromptFormat = "chat" }, "cpu"));
        Assert.Contains("chat template", error.Message);
    }

    [Fact]
    public void Unknown_device_is_named() =>
        Assert.Contains("'gpu7'", Assert.Throws<ArgumentException>(() => PolicyReplica.ParseDevice("gpu7")).Message);
}
