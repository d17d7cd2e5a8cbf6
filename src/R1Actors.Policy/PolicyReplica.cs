using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model;
using R1Actors.Policy.Model.Lora;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;
using static TorchSharp.torch;

namespace R1Actors.Policy;

/// <summary>One sampled completion as the pipeline needs it: ids, text, behaviour log-probs, finish reason.</summary>
public sealed record SampledCompletion(
    int Prompt, int Sample, IReadOnlyList<int> PromptTokenIds, IReadOnlyList<int> CompletionTokenIds, string CompletionText,
    IReadOnlyList<float> LogProbs, FinishReason FinishReason);

/// <summary>
/// A policy on one device with its tokenizer and prompt format: what a sampler (or an evaluator) holds.
/// Questions in, completions out; weights are replaced between calls with <see cref="ModelWeights.CopyInto"/>
/// on <see cref="Model"/>. Not thread-safe: one caller (thread) at a time.
/// </summary>
public sealed class PolicyReplica : IDisposable
{
    private readonly BatchGenerator generator;
    private readonly IReadOnlyList<int> stopTokenIds;

    public PolicyReplica(CausalLanguageModel model, ITokenizer tokenizer, IPromptFormat promptFormat)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ModelFormatException(
                $"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {model.Config.VocabSize}");
        model.eval();   // a replica samples and scores: no dropout (a LoRA adapter's) ever runs in it
        Model = model;
        Tokenizer = tokenizer;
        PromptFormat = promptFormat;
        generator = new BatchGenerator(model, tokenizer);
        stopTokenIds = Tokenizers.StopTokenIds(tokenizer, model.Config.EosTokenIds);
    }

    public CausalLanguageModel Model { get; }
    public ITokenizer Tokenizer { get; }
    public IPromptFormat PromptFormat { get; }

    /// <summary>
    /// Loads the configured model onto <paramref name="device"/> ("cpu", "cuda:0", …): the Hugging Face folder of
    /// <see cref="ModelSettings.Path"/> with its tokenizer, or, when the path is empty, the built-in tiny model.
    /// With <paramref name="adapter"/>, the base gets a LoRA adapter of that shape: a sampler of a LoRA run holds
    /// base + adapter, and each new version replaces the adapter's tensors only.
    /// </summary>
    public static PolicyReplica Load(ModelSettings model, TokenizerSettings tokenizer, string device, LoraSettings? adapter = null)
    {
        var target = ParseDevice(device);
        if (model.Path.Length == 0)
        {
            var (tiny, characters) = TinyModels.Create(model.Tiny, target, Dtype(model, null));
            if (adapter is not null)
                tiny.AttachAdapter(adapter);
            return new PolicyReplica(tiny, characters, CreatePromptFormat(tokenizer, null));
        }
        var loaded = ModelFolder.Load(model.Path, target, Dtype(model, ModelFolder.ReadConfig(model.Path)));
        try
        {
            if (adapter is not null)
                loaded.AttachAdapter(adapter, AdapterFolder.BaseName(model.Path));
            return new PolicyReplica(loaded, Tokenizers.Load(model.Path), CreatePromptFormat(tokenizer, model.Path));
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>The prompt token ids for a question: rendered by the prompt format, then tokenized.</summary>
    public IReadOnlyList<int> EncodePrompt(string question) => Tokenizer.Encode(PromptFormat.Render(question));

    /// <summary>The prompt token ids for a conversation (see <see cref="IPromptFormat.Render(IReadOnlyList{ChatMessage})"/>).</summary>
    public IReadOnlyList<int> EncodePrompt(IReadOnlyList<ChatMessage> messages) => Tokenizer.Encode(PromptFormat.Render(messages));

    /// <summary>
    /// G completions for each prompt; <paramref name="seeds"/> holds one seed per (prompt, sample), prompt-major, and
    /// <paramref name="tokenLimits"/>, when given, one limit per prompt at most max-new-tokens (see <see cref="ContextBudget"/>).
    /// </summary>
    public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<IReadOnlyList<int>> prompts, int samplesPerPrompt,
        IReadOnlyList<ulong> seeds, SamplingOptions options, IReadOnlyList<int>? tokenLimits = null)
    {
        var request = new GenerationRequest(prompts, samplesPerPrompt, seeds)
        {
            TokenLimits = tokenLimits is null ? null : [.. tokenLimits.SelectMany(limit => Enumerable.Repeat(limit, samplesPerPrompt))],
        };
        var result = generator.Generate(request, WithStopTokens(options));
        return [.. result.Sequences.Select(s => Completion(prompts[s.Prompt], s))];
    }

    /// <summary>
    /// A continuous batcher over this replica's model (see <see cref="ContinuousBatcher"/>): <paramref name="slots"/> rows
    /// in flight, <paramref name="slotTokens"/> prompt + completion tokens each; the model's stop tokens are added.
    /// </summary>
    public ContinuousBatcher CreateBatcher(SamplingOptions options, int slots, int slotTokens) =>
        new(Model, WithStopTokens(options), slots, slotTokens, Tokenizer);

    /// <summary>A generated sequence as the pipeline needs it: with the prompt it continues and its decoded text.</summary>
    public SampledCompletion Completion(IReadOnlyList<int> prompt, GeneratedSequence sequence) => new(
        sequence.Prompt, sequence.Sample, prompt, sequence.TokenIds, Tokenizer.Decode(sequence.TokenIds, skipSpecialTokens: true),
        sequence.LogProbs, sequence.FinishReason);

    private SamplingOptions WithStopTokens(SamplingOptions options) =>
        options with { StopTokenIds = [.. options.StopTokenIds.Union(stopTokenIds)] };

    /// <summary>Writes the tokenizer files next to a saved model folder, so that the folder loads as a whole.</summary>
    public void SaveTokenizer(string folder, string? sourceFolder)
    {
        if (Tokenizer is CharTokenizer characters)
            characters.Save(folder);
        else if (sourceFolder is not null)
            foreach (var file in ModelFolder.CompanionFiles(sourceFolder))
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
    }

    public static Device ParseDevice(string name)
    {
        try
        {
            return device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Runtime.InteropServices.ExternalException)
        {
            throw new ArgumentException($"device '{name}' is not one libtorch knows (\"cpu\", \"cuda:0\", …): {e.Message}", e);
        }
    }

    private static ScalarType Dtype(ModelSettings model, ModelConfig? config) =>
        model.Dtype == "auto" ? config?.TorchDtype ?? ScalarType.Float32 : Dtypes.Parse(model.Dtype, "r1.model.dtype", "configuration");

    private static IPromptFormat CreatePromptFormat(TokenizerSettings settings, string? folder) => settings.PromptFormat switch
    {
        "r1-zero" => new R1ZeroPromptFormat(settings.R1ZeroTemplate),
        "plain" => new PlainPromptFormat(settings.PlainPrefix),
        "chat" when folder is null => throw new TokenizerFormatException(
            "r1.tokenizer.prompt-format = chat needs a model folder with a chat template (r1.model.path); the built-in tiny model has none."),
        "chat" => new ChatPromptFormat(ChatTemplates.Load(Path.Combine(folder, "tokenizer_config.json")),
            settings.SystemPrompt.Length > 0 ? settings.SystemPrompt : null, settings.EnableThinking),
        var other => throw new ArgumentException($"unknown prompt format '{other}' (r1-zero, chat or plain)"),
    };

    public void Dispose() => Model.Dispose();
}
