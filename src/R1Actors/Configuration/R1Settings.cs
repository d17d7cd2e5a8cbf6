using R1Actors.Configuration.Sections;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Settings;
using R1Actors.Policy.Settings;
using R1Actors.Rewards;
using R1Actors.Training.Configuration;

namespace R1Actors.Configuration;

/// <summary>
/// Every setting of a run, bound once at start-up from the layered HOCON configuration. Each section binds
/// itself from its own block of reference.conf; a mistake anywhere stops start-up before any work begins.
/// </summary>
public sealed record R1Settings(
    RunSettings Run, TorchSettings Torch, LoggingSettings Logging, PipelineSettings Pipeline, DataSettings Data,
    RewardSettings Rewards, ModelSettings Model, TokenizerSettings Tokenizer, SamplingSettings Sampling,
    TrainingSettings Training, EvalSettings Eval, PretrainSettings Pretrain)
{
    /// <summary><c>r1.compare</c>, read by <c>r1actors compare</c> only.</summary>
    public CompareSettings Compare { get; init; } = CompareSettings.Defaults;

    public static R1Settings Bind(SettingsReader r)
    {
        var pipeline = PipelineSettingsBinder.Bind(r);
        var sampling = PolicySettingsBinder.BindSampling(r, pipeline);
        if (sampling.Continuous is { } slots)   // a group per slot at most (each down to its last row) and sampler-queue more waiting
            pipeline = pipeline with { ContinuousPrompts = slots.Slots + Math.Max(1, pipeline.SamplerQueue) };
        return new(
            RunSettings.Bind(r),
            TorchSettings.Bind(r),
            LoggingSettings.Bind(r),
            pipeline,
            DataSettingsBinder.Bind(r),
            RewardSettingsBinder.Bind(r),
            PolicySettingsBinder.BindModel(r),
            PolicySettingsBinder.BindTokenizer(r),
            sampling,
            TrainingSection.Bind(r),
            EvalSettings.Bind(r),
            PretrainSettings.Bind(r)) { Compare = CompareSettings.Bind(r) };
    }

    /// <summary>Loads reference.conf, the optional file and the overrides, then binds and validates them.</summary>
    public static (R1Settings Settings, ConfigSource Source) Load(string? configFile, IReadOnlyList<string> sets)
    {
        var source = ConfigSource.Load(configFile, sets);
        return (Bind(new SettingsReader(source)), source);
    }
}
