using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using R1Actors.Cli;
using R1Actors.Daemon;
using R1Actors.Evaluation;
using R1Actors.Policy;
using R1Actors.Policy.Checkpoints;
using R1Actors.Rewards;
using Serilog;

namespace R1Actors.Commands;

/// <summary><c>r1actors eval</c>: pass@1 and pass@k on the held-out split of r1.data.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a model folder on the held-out split of r1.data: pass@1 and pass@k (unbiased estimator) with N samples per prompt; the last line is JSON");
        var model = new Option<string>("--model") { Description = "Hugging Face-layout model folder (config.json, model.safetensors, tokenizer), or a LoRA adapter folder (adapter_config.json), e.g. runs/NAME/checkpoints/checkpoint-500", Required = true };
        var baseModel = new Option<string?>("--base") { Description = "A LoRA adapter's base model folder (default: base_model_name_or_path of its adapter_config.json)" };
        command.Add(model);
        command.Add(baseModel);
        var (config, set) = CommonOptions.AddConfiguration(command);
        var samples = new Option<int?>("--samples") { Description = "Samples per prompt, N (default r1.eval.samples)" };
        var ks = new Option<int[]>("--k") { Description = "Report pass@k for these k (default r1.eval.k)", AllowMultipleArgumentsPerToken = true };
        var runDir = CommonOptions.RunDir("Folder for the log (default: runs/eval)");
        command.Add(samples);
        command.Add(ks);
        command.Add(runDir);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var folder = parse.GetValue(model)!;
            var adapter = AdapterFolder.IsAdapter(folder) ? folder : null;
            var modelFolder = adapter is null ? folder : parse.GetValue(baseModel) ?? AdapterFolder.ReadConfig(adapter).BaseModel;
            if (!File.Exists(Path.Combine(modelFolder, "config.json")))
                throw new UsageException(adapter is null
                    ? $"--model {folder}: no config.json there; expected a Hugging Face-layout model folder or a LoRA adapter folder"
                    : $"--model {folder} is a LoRA adapter whose base \"{modelFolder}\" has no config.json; name the base folder with --base");
            using var context = RunContext.Open(parse.GetValue(config), [.. parse.GetValue(set) ?? [], $"r1.model.path=\"{modelFolder}\""],
                parse.GetValue(runDir) ?? Path.Combine("runs", "eval"), consoleToStdErr: true);
            var s = context.Settings;
            var n = parse.GetValue(samples) ?? s.Eval.Samples;
            var k = parse.GetValue(ks) is { Length: > 0 } given ? given : [.. s.Eval.K];
            if (n < 1 || k.Any(v => v < 1 || v > n))
                throw new UsageException($"--k values must lie between 1 and the number of samples ({n})");
            return Evaluate(s, context.Source, adapter, n, k).GetAwaiter().GetResult();
        }));
        return command;
    }

    /// <param name="adapter">A LoRA adapter folder to put on the base of r1.model.path, or null.</param>
    private static async Task<int> Evaluate(Configuration.R1Settings s, Configuration.ConfigSource source, string? adapter, int samples, IReadOnlyList<int> ks)
    {
        Log.Information("Torch: {TorchRuntime}", TorchRuntime.Configure(s.Torch.EffectiveThreads));
        var heldOut = await HeldOutSet.LoadAsync(s, Log.Logger, CancellationToken.None);
        var prompts = heldOut.Prompts;
        await using var rewards = RewardDispatcher.Create(s.Rewards);
        TaskKindCheck.Run(rewards, source, heldOut.KindsPresent);
        using var replica = PolicyReplica.Load(s.Model, s.Tokenizer, s.Training.Device, adapter is null ? null : AdapterFolder.ReadConfig(adapter).Settings);
        if (adapter is not null)
        {
            AdapterFolder.CheckBase(adapter, s.Model.Path);
            AdapterFolder.LoadInto(replica.Model.Adapter!, adapter);
        }
        var result = await PolicyEvaluator.EvaluateAsync(replica, prompts, samples, ks, s.Sampling.Options, rewards, s.Eval.Seed,
            s.Eval.PromptsPerBatch, CancellationToken.None);
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"model {s.Model.Path}{(adapter is null ? "" : $" + adapter {adapter}")}: {result.Prompts} held-out prompts ({heldOut.Source}), {samples} samples each, {result.Seconds.ToString("F1", c)}s");
        Console.WriteLine($"  pass@1       {result.PassAt1.ToString("P2", c)}");
        foreach (var (k, value) in result.PassAtK.Where(kv => kv.Key != 1))
            Console.WriteLine($"  pass@{k,-7} {value.ToString("P2", c)}");
        Console.WriteLine($"  mean reward  {result.RewardMean.ToString("F4", c)}");
        var json = new JsonObject
        {
            ["model"] = s.Model.Path,
            ["adapter"] = adapter,
            ["prompts"] = result.Prompts,
            ["samples"] = samples,
            ["pass@1"] = result.PassAt1,
            ["reward_mean"] = result.RewardMean,
            ["seconds"] = result.Seconds,
        };
        foreach (var (k, value) in result.PassAtK)
            json[$"pass@{k}"] = value;
        Console.WriteLine(json.ToJsonString());
        return ExitCodes.Success;
    }
}
