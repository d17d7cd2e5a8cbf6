using R1Actors.Pipeline.Settings;
using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;

namespace R1Actors.Configuration.Sections;

/// <summary>Binds <c>r1.model</c>, <c>r1.tokenizer</c> and <c>r1.sampling</c> to the policy's settings.</summary>
public static class PolicySettingsBinder
{
    public static ModelSettings BindModel(SettingsReader r)
    {
        const string M = "r1.model";
        var dtype = r.OneOf($"{M}.dtype", "auto", "float32", "bfloat16", "float16");
        var heads = r.Int($"{M}.tiny.heads", min: 1, max: 1024);
        var hidden = r.Int($"{M}.tiny.hidden-size", min: 2, max: 65536);
        if (hidden % heads != 0 || hidden / heads % 2 != 0)
            throw r.Fail($"{M}.tiny.heads", $"expected a divisor of hidden-size ({hidden}) leaving an even head size");
        var kvHeads = r.Int($"{M}.tiny.kv-heads", min: 1, max: heads);
        if (heads % kvHeads != 0)
            throw r.Fail($"{M}.tiny.kv-heads", $"expected a divisor of heads ({heads})");
        return new ModelSettings(r.String($"{M}.path"), dtype, new TinyModelSettings(
            hidden, r.Int($"{M}.tiny.layers", min: 1, max: 1024), heads, kvHeads,
            r.Int($"{M}.tiny.intermediate-size", min: 1), r.Int($"{M}.tiny.max-positions", min: 8),
            r.Double($"{M}.tiny.rope-theta", min: 0, minExclusive: true), r.Long($"{M}.tiny.init-seed", min: 0)));
    }

    public static TokenizerSettings BindTokenizer(SettingsReader r)
    {
        const string T = "r1.tokenizer";
        var template = r.String($"{T}.r1-zero-template", allowEmpty: false);
        if (!template.Contains(R1ZeroPromptFormat.Placeholder, StringComparison.Ordinal))
            throw r.Fail($"{T}.r1-zero-template", $"expected the text to contain {R1ZeroPromptFormat.Placeholder}, where the question goes");
        return new TokenizerSettings(r.OneOf($"{T}.prompt-format", "r1-zero", "chat", "plain"), template,
            r.String($"{T}.system-prompt"), r.Bool($"{T}.enable-thinking"), r.String($"{T}.plain-prefix"));
    }

    /// <summary>
    /// <c>r1.sampling</c>; continuous batching's slots default to the static batch's rows (prompts-per-batch × G), and
    /// deterministic mode samples static batches. Both modes bound a row at max-prompt-tokens + max-new-tokens.
    /// </summary>
    public static SamplingSettings BindSampling(SettingsReader r, PipelineSettings pipeline)
    {
        const string S = "r1.sampling";
        var options = BindSamplingOptions(r);
        var continuous = r.OneOf($"{S}.batching", "continuous", "static") == "continuous";
        var slots = r.Int($"{S}.slots", min: 0, max: 1 << 20);
        // One budget for both modes: a row's cache holds max-prompt-tokens + max-new-tokens (ContextBudget).
        options = options with { ContextTokens = r.Int($"{S}.max-prompt-tokens", min: 1) + options.MaxNewTokens };
        return new SamplingSettings(options)
        {
            Continuous = continuous && !pipeline.Deterministic
                ? new ContinuousBatchingSettings(slots > 0 ? slots : pipeline.PromptsPerBatch * pipeline.GroupSize, options.ContextTokens)
                : null,
        };
    }

    private static SamplingOptions BindSamplingOptions(SettingsReader r)
    {
        const string S = "r1.sampling";
        var stops = r.StringList($"{S}.stop-strings");
        if (stops.Any(s => s.Length == 0))
            throw r.Fail($"{S}.stop-strings", "expected non-empty strings");
        return new SamplingOptions
        {
            Temperature = r.Double($"{S}.temperature", min: 0),
            TopP = r.Double($"{S}.top-p", min: 0, max: 1, minExclusive: true),
            TopK = r.Int($"{S}.top-k", min: 0),
            MaxNewTokens = r.Int($"{S}.max-new-tokens", min: 1),
            StopStrings = stops,
            FinishCheckInterval = r.Int($"{S}.finish-check-interval", min: 1),
            CompactBelowFraction = r.Double($"{S}.compact-below-fraction", min: 0, max: 1),
            DecodeAttention = r.OneOf($"{S}.decode-attention", "auto", "libtorch") == "libtorch" ? DecodeAttentionPath.Libtorch : DecodeAttentionPath.Auto,
        }.Validated();
    }

    /// <summary>The dtype to load in: the configured one, or the checkpoint's own (float32 for the tiny model).</summary>
    public static TorchSharp.torch.ScalarType ResolveDtype(ModelSettings model, ModelConfig? checkpoint) =>
        model.Dtype == "auto"
            ? checkpoint?.TorchDtype ?? TorchSharp.torch.ScalarType.Float32
            : Dtypes.Parse(model.Dtype, "r1.model.dtype", "configuration");
}
