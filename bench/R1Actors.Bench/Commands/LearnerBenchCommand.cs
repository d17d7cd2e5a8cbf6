using System.CommandLine;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;

namespace R1Actors.Bench.Commands;

/// <summary><c>r1actors-bench learner</c>.</summary>
public static class LearnerBenchCommand
{
    private static readonly string[] ModelNames = ["tiny", "qwen2.5-0.5b"];

    public static Command Create()
    {
        var command = new Command("learner", "Learner tokens/s and achieved GFLOP/s for the tiny and a Qwen2.5-0.5B-shaped model against the matmul ceiling");
        var models = new Option<string[]>("--models")
        {
            Description = "Which models to measure: tiny, qwen2.5-0.5b (default: both)",
            DefaultValueFactory = _ => ModelNames,
            AllowMultipleArgumentsPerToken = true,
        };
        var steps = new Option<int>("--steps") { Description = "Measured steps per model after one warm-up step (default: 5 tiny, 2 Qwen)" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (default: one per core)" };
        var microBatch = new Option<int>("--micro-batch") { Description = "Completions per forward/backward pass (default: 64 tiny, 2 Qwen)" };
        var lora = new Option<bool>("--lora") { Description = "Measure each model twice in one run: a LoRA adapter (r 16, α 32, all seven projections) and full fine-tuning; step time, peak resident memory and published bytes side by side" };
        var loraTargets = new Option<string[]>("--lora-targets")
        {
            Description = "With --lora: the projections that get an adapter (default: q_proj k_proj v_proj o_proj gate_proj up_proj down_proj)",
            AllowMultipleArgumentsPerToken = true,
        };
        var packing = new Option<bool>("--packing")
        {
            Description = "Also measure each model on long-tailed completions (lognormal, median 64, p99 1,000 tokens) padded and packed, same token budget a pass: tokens/s and the share of padding",
        };
        command.Add(models);
        command.Add(packing);
        command.Add(lora);
        command.Add(loraTargets);
        command.Add(microBatch);
        command.Add(steps);
        command.Add(threads);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var chosen = parse.GetValue(models)!;
            var unknown = chosen.Except(ModelNames).ToArray();
            if (unknown.Length > 0)
                throw new UsageException($"--models: unknown model {string.Join(", ", unknown)}; expected {string.Join(" or ", ModelNames)}");
            var requestedSteps = parse.GetValue(steps);
            var cases = new List<LearnerBenchCase>();
            if (chosen.Contains("tiny"))
                cases.Add(LearnerBenchModels.Tiny(requestedSteps > 0 ? requestedSteps : 5));
            if (chosen.Contains("qwen2.5-0.5b"))
                cases.Add(LearnerBenchModels.Qwen05B(requestedSteps > 0 ? requestedSteps : 2));
            var targets = parse.GetValue(loraTargets) is { Length: > 0 } named ? named : null;
            if (targets is not null && (!parse.GetValue(lora) || (LearnerBenchModels.Lora with { TargetModules = targets }).Problem() is not null))
                throw new UsageException($"--lora-targets needs --lora and names among {string.Join(", ", Policy.Model.Lora.LoraSettings.KnownModules)}");
            if (parse.GetValue(lora))
                cases = [.. cases.SelectMany(c => new[] { LearnerBenchModels.WithLora(c, targets), c })];   // LoRA first: its peak is not the full model's
            var requestedMicroBatch = parse.GetValue(microBatch);
            if (requestedMicroBatch > 0)
                cases = cases.Select(c => c with { MicroBatchSize = requestedMicroBatch }).ToList();
            if (parse.GetValue(packing))
                cases.AddRange(cases.Where(c => c.Lora is null).ToArray().SelectMany(c => c.Name == "tiny"
                    ? LearnerBenchModels.PaddedAndPacked(c, groups: 16, tokens: 8192)
                    : LearnerBenchModels.PaddedAndPacked(c, groups: 1, tokens: 2048)));
            var requestedThreads = parse.GetValue(threads);
            LearnerBench.Run(cases, requestedThreads > 0 ? requestedThreads : Environment.ProcessorCount, Console.Out);
            return ExitCodes.Success;
        }));
        return command;
    }
}
