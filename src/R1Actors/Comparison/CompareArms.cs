using R1Actors.Cli;
using R1Actors.Configuration;
using R1Actors.Daemon;
using R1Actors.Training.Checkpoints;

namespace R1Actors.Comparison;

/// <summary>What every arm of one comparison shares: the settings, the budget, the folder and the cold-start traces.</summary>
public sealed record CompareContext(R1Settings Settings, CompareBudget Budget, string Folder, string ColdStartTraces)
{
    /// <summary>Completions one learner step samples: B groups of G.</summary>
    public long SamplesPerStep => (long)Settings.Pipeline.GroupsPerStep * Settings.Pipeline.GroupSize;

    /// <summary>Learner steps the sample budget buys an RL arm; 0 without a sample budget (time alone ends it).</summary>
    public long Steps => Budget.Samples is { } n ? n / SamplesPerStep : 0;

    public string ArmFolder(string arm) => Path.Combine(Folder, "arms", arm.Replace('+', '-'));
}

/// <summary>A held-out point an arm makes besides its segments' (after its first one): no new training, an earlier state.</summary>
/// <param name="Model">The model folder to evaluate; null for the base model, which is measured once for all arms.</param>
public sealed record ExtraPoint(string Label, long Samples, double WallSeconds, string? Model);

/// <summary>
/// One recipe of <c>r1actors compare</c>. An arm runs as a sequence of segments, each a <c>train</c> run on the
/// arm's own run folder with the arm's overrides (the run resumes from the folder's checkpoints, so segment i + 1
/// continues where i stopped, and a killed comparison resumes the same way); a held-out point is taken after
/// every segment on the newest checkpoint.
/// </summary>
public interface ICompareArm
{
    string Name { get; }

    /// <summary>One line for the report: what the arm does and what it spends.</summary>
    string Recipe(CompareContext c);

    int Segments(CompareContext c);

    /// <summary>The overrides of segment <paramref name="segment"/> (1-based), on top of the configuration.</summary>
    IReadOnlyList<string> Overrides(CompareContext c, int segment);

    /// <summary>Sampled completions spent so far, read from the arm's folder.</summary>
    long SamplesSpent(CompareContext c);

    /// <summary>The point of an earlier state the first segment passed through, or null.</summary>
    ExtraPoint? AfterFirstSegment(CompareContext c);
}

/// <summary>grpo and online rft: the RL pipeline, B·G samples a step; segment i ends at step i·S/P.</summary>
public class PipelineArm(string name, string objective) : ICompareArm
{
    public string Name => name;

    public virtual string Recipe(CompareContext c) => objective == "grpo"
        ? $"GRPO from the base: {c.Settings.Pipeline.GroupSize} samples per prompt, group-relative advantages, {c.SamplesPerStep} samples a step"
        : $"online RFT: every step samples {c.SamplesPerStep} completions from the current policy and trains cross-entropy on the verified-correct ones";

    public int Segments(CompareContext c) => c.Steps > 0 ? (int)Math.Min(c.Settings.Compare.Points, c.Steps) : c.Settings.Compare.Points;

    public virtual IReadOnlyList<string> Overrides(CompareContext c, int segment) =>
        [$"r1.training.objective={objective}", "r1.training.rft.mode=online", "r1.training.sft.traces=\"\"",
            $"r1.pipeline.max-steps={(c.Steps > 0 ? c.Steps * segment / Segments(c) : 0)}"];

    public long SamplesSpent(CompareContext c) => NewestStep(c.ArmFolder(Name), c.Settings) * c.SamplesPerStep;

    public virtual ExtraPoint? AfterFirstSegment(CompareContext c) => null;

    /// <summary>The step of the arm's newest complete checkpoint (its RL stage's), 0 when there is none.</summary>
    public static long NewestStep(string armFolder, R1Settings s) => Newest(armFolder, s)?.Step ?? 0;

    public static CheckpointInfo? Newest(string armFolder, R1Settings s) =>
        new CheckpointStore(Path.Combine(armFolder, s.Training.Checkpoint.Folder), int.MaxValue, s.Training.Checkpoint.VerifyHashes).Latest();
}

/// <summary>sft+grpo (R1): SFT on the cold-start traces, then GRPO from the handed-over weights on the whole sample budget.</summary>
public sealed class ColdStartArm() : PipelineArm("sft+grpo", "grpo")
{
    public override string Recipe(CompareContext c) =>
        $"R1: a cold start (SFT, {c.Settings.Training.Objective.Sft.Epochs} epochs over {c.Settings.Compare.ColdStartTraces} traces of the training split's reference answers, no samples spent), then GRPO as the grpo arm";

    public override IReadOnlyList<string> Overrides(CompareContext c, int segment) =>
        [.. base.Overrides(c, segment).Where(o => !o.StartsWith("r1.training.sft.traces", StringComparison.Ordinal)), $"r1.training.sft.traces=\"{c.ColdStartTraces}\""];

    public override ExtraPoint? AfterFirstSegment(CompareContext c) =>
        TrainingStages.ReadColdStart(c.ArmFolder(Name)) is { } done ? new("after the cold start", 0, done.Seconds, TrainingStages.HandOverFolder(c.ArmFolder(Name))) : null;
}

/// <summary>
/// Offline rft: one generation pass from the base spends the whole sample budget (N / G prompts × G), then
/// <c>r1.training.rft.epochs</c> supervised epochs over what passed; a segment per epoch.
/// </summary>
public sealed class OfflineRftArm : ICompareArm
{
    public string Name => "rft-offline";

    public string Recipe(CompareContext c) =>
        $"offline RFT: one pass of {Prompts(c)} prompts x {c.Settings.Pipeline.GroupSize} samples from the base, then {c.Settings.Training.Objective.Rft.Epochs} epochs of cross-entropy on the verified-correct ones";

    public int Segments(CompareContext c) => c.Settings.Training.Objective.Rft.Epochs;

    public IReadOnlyList<string> Overrides(CompareContext c, int segment) =>
        ["r1.training.objective=rft", "r1.training.rft.mode=offline", "r1.training.sft.traces=\"\"",
            $"r1.training.rft.offline-prompts={Prompts(c)}", $"r1.training.rft.epochs={segment}"];

    public long SamplesSpent(CompareContext c) => OfflineGeneration.Finished(c.ArmFolder(Name))?.Sampled ?? 0;

    public ExtraPoint? AfterFirstSegment(CompareContext c) =>
        OfflineGeneration.Finished(c.ArmFolder(Name)) is { } pass ? new("after the generation pass (the base model)", pass.Sampled, pass.Seconds, null) : null;

    private static long Prompts(CompareContext c) =>
        c.Budget.Samples is { } n ? Math.Max(1, n / c.Settings.Pipeline.GroupSize) : c.Settings.Training.Objective.Rft.OfflinePrompts;
}

/// <summary>The arms <c>--arms</c> may name, in the order the report lists them.</summary>
public static class CompareArms
{
    public static readonly IReadOnlyDictionary<string, Func<ICompareArm>> Known = new Dictionary<string, Func<ICompareArm>>(StringComparer.Ordinal)
    {
        ["grpo"] = () => new PipelineArm("grpo", "grpo"),
        ["rft-online"] = () => new PipelineArm("rft-online", "rft"),
        ["rft-offline"] = () => new OfflineRftArm(),
        ["sft+grpo"] = () => new ColdStartArm(),
    };

    /// <exception cref="UsageException">An unknown or repeated arm.</exception>
    public static IReadOnlyList<ICompareArm> Parse(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0 || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new UsageException($"--arms {text}: name each arm once, e.g. --arms {string.Join(",", Known.Keys)}");
        return [.. names.Select(n => Known.TryGetValue(n, out var make) ? make()
            : throw new UsageException($"--arms: \"{n}\" is not an arm; expected one of {string.Join(", ", Known.Keys)}"))];
    }
}
