namespace R1Actors.Configuration.Sections;

/// <summary><c>r1.eval</c>: held-out evaluation (pass@1, pass@k).</summary>
public sealed record EvalSettings(
    int Samples, IReadOnlyList<int> K, int MaxPrompts, int PromptsPerBatch, ulong Seed, bool BeforeTraining, bool AfterTraining, int EverySteps)
{
    public static EvalSettings Bind(SettingsReader r)
    {
        var samples = r.Int("r1.eval.samples", min: 1, max: 10_000);
        var k = r.LongList("r1.eval.k");
        if (k.Count == 0 || k.Any(v => v < 1 || v > samples))
            throw r.Fail("r1.eval.k", $"expected a list of whole numbers from 1 to r1.eval.samples ({samples}), got [{string.Join(", ", k)}]");
        return new EvalSettings(samples, [.. k.Select(v => (int)v)],
            r.Int("r1.eval.max-prompts", min: 0),
            r.Int("r1.eval.prompts-per-batch", min: 1),
            (ulong)r.Long("r1.eval.seed", min: 0),
            r.Bool("r1.eval.before-training"),
            r.Bool("r1.eval.after-training"),
            r.Int("r1.eval.every-steps", min: 0));
    }
}

/// <summary><c>r1.pretrain</c>: supervised pretraining of the built-in tiny model.</summary>
public sealed record PretrainSettings(
    int MaxSteps, int BatchSize, double LearningRate, int WarmupSteps, int EvalEvery, int ValidationPrompts, double TargetAccuracy, long Seed)
{
    public static PretrainSettings Bind(SettingsReader r) => new(
        r.Int("r1.pretrain.max-steps", min: 1),
        r.Int("r1.pretrain.batch-size", min: 1),
        r.Double("r1.pretrain.lr", min: 0, max: 1, minExclusive: true),
        r.Int("r1.pretrain.warmup-steps", min: 0),
        r.Int("r1.pretrain.eval-every", min: 1),
        r.Int("r1.pretrain.validation-prompts", min: 1),
        r.Double("r1.pretrain.target-accuracy", min: 0, max: 1, minExclusive: true),
        r.Long("r1.pretrain.seed", min: 0));
}

/// <summary><c>r1.compare</c>: what <c>r1actors compare</c> measures along each arm.</summary>
public sealed record CompareSettings(int Points, int EvalSamples, int ColdStartTraces)
{
    public static CompareSettings Defaults { get; } = new(4, 64, 2000);

    public static CompareSettings Bind(SettingsReader r) => new(
        r.Int("r1.compare.points", min: 1, max: 100),
        r.Int("r1.compare.eval-samples", min: 1, max: 10_000),
        r.Int("r1.compare.cold-start-traces", min: 1));
}
