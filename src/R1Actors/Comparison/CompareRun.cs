using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Cli;
using R1Actors.Configuration;
using R1Actors.Daemon;
using R1Actors.Evaluation;
using R1Actors.Pipeline.Data;
using R1Actors.Policy;
using R1Actors.Rewards;

namespace R1Actors.Comparison;

/// <summary>
/// <c>r1actors compare</c>: the arms one after another in one folder, every one from the configuration's base model,
/// data and seed, on the same budget. The folder holds <c>compare.json</c> (the plan: a resumed comparison must
/// be the same one), <c>arms/NAME/</c> (each arm's run folder: effective.conf, logs, checkpoints),
/// <c>points.jsonl</c> (every held-out point, the base model's first) and <c>report/</c>. Killed at any moment, it
/// resumes on the same command: finished points are kept, the arm in progress resumes from its newest complete
/// checkpoint (like <c>train</c>) and its segment is finished. Wall time is the arms' training time only; a
/// kill loses the time of the steps since the last checkpoint, which are redone and counted once.
/// </summary>
public sealed class CompareRun(string? configFile, IReadOnlyList<string> sets, IReadOnlyList<ICompareArm> arms, CompareBudget budget, string folder, TextWriter output)
{
    /// <summary>Every segment of every arm measures itself only here, never inside train.</summary>
    private static readonly string[] SegmentOverrides =
        ["r1.eval.before-training=false", "r1.eval.after-training=false", "r1.eval.every-steps=0", "r1.run.max-duration=0"];

    public async Task<JsonObject> RunAsync(CancellationToken stop)
    {
        var (settings, _) = R1Settings.Load(configFile, sets);
        CheckSettings(settings);
        Directory.CreateDirectory(folder);
        CheckPlan();
        var context = new CompareContext(settings, budget, Path.GetFullPath(folder), await ColdStartTracesAsync(settings, stop).ConfigureAwait(false));
        TorchRuntime.Configure(settings.Torch.EffectiveThreads, settings.Run.Deterministic);
        var store = new ComparePoints(folder);
        var points = store.Read().ToList();
        await using var rewards = RewardDispatcher.Create(settings.Rewards);
        var heldOut = await HeldOutSet.LoadAsync(settings, Serilog.Core.Logger.None, stop).ConfigureAwait(false);
        var probe = new HeldOutProbe(settings, heldOut.Prompts, rewards);

        async Task<ComparePoint> Record(ComparePoint point)
        {
            store.Append(point);
            points.Add(point);
            output.WriteLine($"{point.Arm,-12} {point.Label,-44} samples {point.Samples,9} wall {point.WallSeconds,7:F1}s  pass@1 {point.PassAt(1):P1}  pass@{point.Probe.Samples} {point.PassAt(point.Probe.Samples):P1}  entropy {point.Probe.Entropy:F3}  length {point.Probe.LengthMean:F2}");
            await output.FlushAsync(stop).ConfigureAwait(false);
            return point;
        }
        async Task<ProbeResult> Measure(string model) => await probe.MeasureAsync(model, stop).ConfigureAwait(false);

        var basePoint = points.FirstOrDefault(p => p.Arm == "base")
            ?? await Record(new ComparePoint("base", 0, "base model", 0, 0, settings.Model.Path, await Measure(settings.Model.Path).ConfigureAwait(false))).ConfigureAwait(false);
        foreach (var arm in arms)
        {
            var mine = points.Where(p => p.Arm == arm.Name).ToList();
            var wall = mine.Where(p => p.Segment > 0).Select(p => p.WallSeconds).DefaultIfEmpty(0).Max();
            for (var segment = 1; segment <= arm.Segments(context) && !TimeSpent(wall); segment++)
            {
                if (mine.Any(p => p.Segment == segment))
                    continue;
                wall += await TrainSegmentAsync(arm, context, segment, SegmentTimeLimit(arm, context, wall), stop).ConfigureAwait(false);
                if (segment == 1 && !mine.Any(p => p.Segment == 0) && arm.AfterFirstSegment(context) is { } extra)
                {
                    var probed = extra.Model is null ? basePoint.Probe : await Measure(extra.Model).ConfigureAwait(false);
                    await Record(new ComparePoint(arm.Name, 0, extra.Label, extra.Samples, extra.WallSeconds, extra.Model ?? basePoint.Model, probed)).ConfigureAwait(false);
                }
                var model = PipelineArm.Newest(context.ArmFolder(arm.Name), settings)?.Path
                    ?? throw new InvalidOperationException($"arm {arm.Name} ended segment {segment} without a checkpoint in {context.ArmFolder(arm.Name)}");
                await Record(new ComparePoint(arm.Name, segment, $"segment {segment} of {arm.Segments(context)}", arm.SamplesSpent(context), wall, model,
                    await Measure(model).ConfigureAwait(false))).ConfigureAwait(false);
            }
        }
        return CompareReport.Write(Path.Combine(folder, "report"), context, arms, points);
    }

    private bool TimeSpent(double wallSeconds) => budget.Time is { } t && wallSeconds >= t.TotalSeconds;

    /// <summary>The rest of the arm's time budget; with a time budget alone, also a 1/P share of it per segment.</summary>
    private TimeSpan? SegmentTimeLimit(ICompareArm arm, CompareContext c, double wallSeconds)
    {
        if (budget.Time is not { } t)
            return null;
        var left = t - TimeSpan.FromSeconds(wallSeconds);
        return budget.Samples is null && arm is PipelineArm ? TimeSpan.FromTicks(Math.Min(left.Ticks, t.Ticks / arm.Segments(c))) : left;
    }

    /// <summary>One <c>train</c> run of the arm in this process; returns its wall time in seconds.</summary>
    private async Task<double> TrainSegmentAsync(ICompareArm arm, CompareContext c, int segment, TimeSpan? limit, CancellationToken stop)
    {
        var watch = Stopwatch.StartNew();
        using (var context = RunContext.Open(configFile, [.. sets, .. SegmentOverrides, .. arm.Overrides(c, segment)], c.ArmFolder(arm.Name), consoleToStdErr: true))
        {
            using var capped = CancellationTokenSource.CreateLinkedTokenSource(stop);
            if (limit is { } l)
                capped.CancelAfter(l > TimeSpan.Zero ? l : TimeSpan.Zero);
            await new TrainRun(context, TimeProvider.System).RunAsync(capped.Token).ConfigureAwait(false);
        }
        stop.ThrowIfCancellationRequested();
        return watch.Elapsed.TotalSeconds;
    }

    private static void CheckSettings(R1Settings s)
    {
        if (s.Model.Path.Length == 0)
            throw new SettingsException("r1.model.path", "compare starts every arm from one base model folder; set r1.model.path (e.g. models/tiny-adder)");
        if (s.Training.Lora is not null)
            throw new SettingsException("r1.training.lora.enabled", "compare evaluates full model checkpoints; turn LoRA off for a comparison");
        if (s.Pipeline.Devices.Count != 1)
            throw new SettingsException("r1.pipeline.devices", "compare runs each arm on one sampler device, the one its held-out probes use; list one device");
    }

    /// <summary>compare.json: the plan, written on the first run; a resumed comparison must be the same one.</summary>
    private void CheckPlan()
    {
        var plan = new JsonObject
        {
            ["config"] = configFile,
            ["sets"] = new JsonArray([.. sets.Select(s => JsonValue.Create(s))]),
            ["arms"] = new JsonArray([.. arms.Select(a => JsonValue.Create(a.Name))]),
            ["budget"] = budget.ToString(),
        }.ToJsonString();
        var path = Path.Combine(folder, "compare.json");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, plan);
            return;
        }
        var saved = File.ReadAllText(path);
        if (saved != plan)
            throw new UsageException($"{path} holds another comparison ({saved}); run the same command to resume it, or compare into another --run-dir");
    }

    /// <summary>
    /// The cold-start traces of sft+grpo: r1.training.sft.traces when the configuration names a file, else the first
    /// r1.compare.cold-start-traces problems of the training split with their reference answers as completions — the
    /// generator's own solutions, what <c>r1actors pretrain</c> learns from — written to <c>cold-start.jsonl</c>.
    /// </summary>
    private async Task<string> ColdStartTracesAsync(R1Settings s, CancellationToken stop)
    {
        if (!arms.Any(a => a is ColdStartArm))
            return "";
        if (s.Training.Objective.Sft.Traces.Length > 0)
            return Path.GetFullPath(s.Training.Objective.Sft.Traces);
        var path = Path.GetFullPath(Path.Combine(folder, "cold-start.jsonl"));
        if (File.Exists(path))
            return path;
        var training = await PromptSources.LoadAsync(s.Data, DataSplit.Training, Serilog.Core.Logger.None, stop).ConfigureAwait(false);
        var count = Math.Min(s.Compare.ColdStartTraces, (int)Math.Min(int.MaxValue, training.Count));
        TraceFile.Write(path, Enumerable.Range(0, count).Select(training.Get).Select(p => (Text(p), Reference(p))));
        return path;
    }

    private static string Text(Prompt p) => p.Content is TextPrompt t ? t.Text
        : throw new SettingsException("r1.training.sft.traces", $"prompt {p.Id} is a chat prompt: cold-start traces cannot be written from it; name a trace file in r1.training.sft.traces");

    private static string Reference(Prompt p) =>
        p.Task.Fields.TryGetValue("reference", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()!
            : throw new SettingsException("r1.training.sft.traces", $"prompt {p.Id} has no text reference to write a cold-start trace from; name a trace file in r1.training.sft.traces");
}
