using R1Actors.Policy.Model.Lora;
using R1Actors.Training.Configuration;

namespace R1Actors.Configuration.Sections;

/// <summary>
/// Binds <c>r1.training</c> (the learner: algorithm, optimizer, schedule, checkpoints) into
/// <see cref="TrainingSettings"/>; names are checked against <see cref="TrainingStrategies"/>, so a value that
/// binds always builds.
/// </summary>
public static class TrainingSection
{
    private static readonly string[] WeightDtypes = ["float32", "bfloat16"];

    public static TrainingSettings Bind(SettingsReader r)
    {
        return new TrainingSettings(
            r.String("r1.training.device", allowEmpty: false),
            r.OneOf("r1.training.dtype", WeightDtypes),
            Algorithm(r),
            Optimizer(r),
            Schedule(r),
            Checkpoint(r),
            Lora(r)) { Objective = Objective(r) };
    }

    private static ObjectiveSettings Objective(SettingsReader r)
    {
        var name = r.OneOf("r1.training.objective", [.. TrainingStrategies.Objectives.Keys]);
        var rft = new RftSettings(
            r.OneOf("r1.training.rft.mode", ["online", "offline"]),
            r.Int("r1.training.rft.offline-prompts", min: 1),
            r.Int("r1.training.rft.epochs", min: 1));
        var sft = new SftSettings(
            r.String("r1.training.sft.traces", allowEmpty: true),
            r.Int("r1.training.sft.epochs", min: 1),
            r.Int("r1.training.sft.batch-size", min: 1));
        if (name == "sft" && sft.Traces.Length == 0)
            throw r.Fail("r1.training.sft.traces", "objective = \"sft\" trains on a trace file; name a JSONL file of {\"prompt\": ..., \"completion\": ...} lines");
        if (name == "rft" && rft.Mode == "offline" && sft.Traces.Length > 0)
            throw r.Fail("r1.training.sft.traces", "offline rft makes its own traces from the base model; leave sft.traces empty (a cold start before offline rft is not supported)");
        if (name != "grpo" && r.Bool("r1.training.algorithm.dynamic-sampling"))
            throw r.Fail("r1.training.algorithm.dynamic-sampling",
                $"dynamic sampling drops groups whose rewards are all equal, but {name} trains on a group whose completions are all correct; turn it off for objective = \"{name}\"");
        return new ObjectiveSettings(name, rft, sft);
    }

    /// <summary><c>r1.training.lora</c>, or null when it is off; every key is read (and checked) either way.</summary>
    private static LoraSettings? Lora(SettingsReader r)
    {
        const string l = "r1.training.lora.";
        var enabled = r.Bool(l + "enabled");
        var settings = new LoraSettings(
            r.Int(l + "rank", min: 1),
            r.Double(l + "alpha", min: 0, minExclusive: true),
            r.Double(l + "dropout", min: 0, max: 0.999),
            r.StringList(l + "target-modules"),
            r.Long(l + "init-seed", min: 0),
            r.OneOf(l + "publish-dtype", WeightDtypes) == "bfloat16");
        if (settings.Problem() is { } problem)
            throw r.Fail(l + problem.Key, problem.Problem);
        return enabled ? settings : null;
    }

    private static AlgorithmSettings Algorithm(SettingsReader r)
    {
        const string a = "r1.training.algorithm.";
        return new AlgorithmSettings(
            r.OneOf(a + "advantage", [.. TrainingStrategies.Advantages.Keys]),
            r.Double(a + "advantage-epsilon", min: 0),
            r.Double(a + "clip-low", min: 0, max: 0.999),
            r.Double(a + "clip-high", min: 0),
            r.Double(a + "kl-beta", min: 0),
            r.Double(a + "entropy-coefficient"),
            r.OneOf(a + "aggregation", [.. TrainingStrategies.Aggregations.Keys]),
            r.Int(a + "constant-normaliser", min: 1),
            r.OneOf(a + "truncated", [.. TrainingStrategies.Truncations.Keys]),
            r.Double(a + "truncated-penalty", min: 0),
            r.Bool(a + "dynamic-sampling"),
            r.Int(a + "max-discarded-groups", min: 0));
    }

    private static OptimizerSettings Optimizer(SettingsReader r)
    {
        const string o = "r1.training.optimizer.";
        return new OptimizerSettings(
            r.Double(o + "lr", min: 0, minExclusive: true),
            r.Double(o + "beta1", min: 0, max: 0.999999),
            r.Double(o + "beta2", min: 0, max: 0.999999),
            r.Double(o + "epsilon", min: 0, minExclusive: true),
            r.Double(o + "weight-decay", min: 0),
            r.Double(o + "max-grad-norm", min: 0),
            r.Int(o + "micro-batch-size", min: 1),
            r.Int(o + "micro-batch-tokens", min: 0),
            r.Bool(o + "packed-sequences"));
    }

    private static ScheduleSettings Schedule(SettingsReader r)
    {
        const string s = "r1.training.schedule.";
        var kind = r.OneOf(s + "kind", [.. TrainingStrategies.Schedules.Keys]);
        var warmup = r.Long(s + "warmup-steps", min: 0);
        var total = r.Long(s + "total-steps", min: 0);
        var floor = r.Double(s + "min-lr-ratio", min: 0, max: 1);
        if (kind == "cosine" && total <= warmup)
            throw r.Fail(s + "total-steps", $"the cosine schedule decays until total-steps, which must be greater than warmup-steps ({warmup}); got {total}");
        return new ScheduleSettings(kind, warmup, total, floor);
    }

    private static CheckpointSettings Checkpoint(SettingsReader r)
    {
        const string c = "r1.training.checkpoint.";
        return new CheckpointSettings(
            r.String(c + "dir", allowEmpty: false),
            r.Int(c + "keep-last", min: 1),
            r.Bool(c + "verify-hashes"),
            r.Int(c + "metric-history", min: 0));
    }
}
