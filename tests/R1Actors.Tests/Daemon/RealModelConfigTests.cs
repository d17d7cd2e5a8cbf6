using System.Text.Json;
using R1Actors.Configuration;
using R1Actors.Pipeline.Data;
using R1Actors.Policy;
using R1Actors.Reporting;
using R1Actors.Rewards;
using static TorchSharp.torch;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// The shipped real-model configurations (hocon/qwen2.5-*.conf), each run by the built <c>r1actors train</c> for
/// two steps on the CPU against a tiny random Qwen2-shaped model with the real Qwen tokenizer. Only what a CPU
/// test must change is overridden: the model and data paths, the device and dtype, the batch and evaluation sizes,
/// the step budget, a rollout event every step (so the verifiers' verdicts can be checked) and a small entropy bonus: a
/// random model earns no reward, every advantage is zero, and without it the learner would rightly skip its update.
/// </summary>
public sealed class RealModelConfigTests(TinyQwenFixture fixture) : IClassFixture<TinyQwenFixture>
{
    public static TheoryData<string> Configs =>
        ["qwen2.5-0.5b-r1zero-gsm8k.conf", "qwen2.5-0.5b-instruct-chat-gsm8k.conf", "qwen2.5-coder-0.5b-r1zero-mbpp.conf", "qwen2.5-0.5b-r1zero-knights-knaves.conf", "qwen2.5-0.5b-r1zero-sudoku.conf"];

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_real_model_config_loads_with_the_keys_of_reference_conf(string name)
    {
        var (settings, _) = R1Settings.Load(RepositoryPaths.File("hocon", name), []);

        Assert.StartsWith("models/Qwen2.5", settings.Model.Path, StringComparison.Ordinal);
        Assert.Equal("bfloat16", settings.Model.Dtype);
        Assert.Equal(["cuda:0"], settings.Pipeline.Devices);
        Assert.Equal(1024, settings.Sampling.Options.MaxNewTokens);
        Assert.Equal(1e-6, settings.Training.Optimizer.Lr);
        Assert.Equal(0.0, settings.Training.Algorithm.KlBeta);
        Assert.Equal("token-mean", settings.Training.Algorithm.Aggregation);
        Assert.True(settings.Training.Algorithm.ClipHigh > settings.Training.Algorithm.ClipLow);
        if (settings.Data.Source == "files") Assert.Single(settings.Data.HeldOutFiles);
        else Assert.True(settings.Data.HeldOutCount > 0, "a generator config measures on its own held-out puzzles");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task A_real_model_config_trains_two_steps_on_the_cpu_with_a_tiny_qwen(string name)
    {
        var (settings, runDir, log) = TrainTwoSteps(name, "r1.model.dtype=float32", "r1.training.dtype=float32");

        Assert.Equal(0, log.VerifierFaults);
        Assert.Equal(2, log.Evaluations.Count(e => e.ContainsKey("HeldOutAccuracy")));
        var code = settings.Data.Fields.DefaultTask == "code";
        Assert.Equal(code ? 1 : 0, new RunFolder(runDir).Events().Count(e => e.TryGetProperty("SandboxIsolation", out _)));   // started before the first step
        await AssertRolloutRewardsAreTheVerifiersAsync(settings, runDir);
        AssertTheCheckpointIsATrainedModelFolder(settings, Path.Combine(runDir, "checkpoints", "checkpoint-2"), ScalarType.Float32);
    }

    [Fact]
    public void The_gsm8k_config_trains_in_its_own_bfloat16_on_the_cpu_too()
    {
        var (settings, runDir, _) = TrainTwoSteps("qwen2.5-0.5b-r1zero-gsm8k.conf");

        Assert.Equal(("bfloat16", "bfloat16"), (settings.Model.Dtype, settings.Training.Dtype));
        AssertTheCheckpointIsATrainedModelFolder(settings, Path.Combine(runDir, "checkpoints", "checkpoint-2"), ScalarType.BFloat16);
    }

    [Fact]
    public void Rows_of_a_custom_python_reward_train_beside_math_held_out_rows()
    {
        // veRL's row layout: the answer under reward_model.ground_truth, a data_source, an extra_info object.
        var rows = Path.Combine(fixture.Root, "custom-train.jsonl");
        File.WriteAllLines(rows, Enumerable.Range(0, 8).Select(i =>
            $$$"""{"question": "What is {{{i}}} + 2?", "task": "gsm8k-custom", "data_source": "openai/gsm8k", "reward_model": {"ground_truth": "{{{i + 2}}}", "style": "rule"}, "extra_info": {"index": {{{i}}}}}"""));
        var reward = RepositoryPaths.File("hocon", "rewards", "gsm8k_reward.py");
        var (_, runDir, log) = TrainTwoSteps("qwen2.5-0.5b-r1zero-gsm8k.conf", "r1.model.dtype=float32", "r1.training.dtype=float32",
            $"r1.data.files=[\"{rows}\"]", $"r1.rewards.custom.path=\"{reward}\"", "r1.rewards.custom.kind=gsm8k-custom");

        Assert.Equal(0, log.VerifierFaults);
        var steps = new RunFolder(runDir).Events().Where(e => e.TryGetProperty("EventKind", out var k) && k.GetString() == "Step").ToList();
        Assert.All(steps, step =>
        {
            Assert.Equal(0, step.GetProperty("CustomRewardFailures").GetInt64());
            // The function's own figure reached the step's means: every training row was scored by it.
            Assert.True(step.GetProperty("RewardComponentMeans").TryGetProperty("answer_in_block", out _), step.ToString());
        });
        var rollout = new RunFolder(runDir).Events().First(e => e.TryGetProperty("EventKind", out var k) && k.GetString() == "Rollout");
        Assert.Equal(["answer", "answer_in_block"], rollout.GetProperty("RewardComponents").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(2, log.Evaluations.Count(e => e.ContainsKey("HeldOutAccuracy")));   // the held-out side is GSM8K math rows
    }

    /// <summary>
    /// Runs <c>r1actors train</c> with the named config for two steps on the CPU against the fixture's model and data;
    /// checks what every such run must show: two Step events with a finite loss and a gradient that updated the weights.
    /// </summary>
    private (R1Settings Settings, string RunDir, ClefRunLog Log) TrainTwoSteps(string name, params string[] extraSets)
    {
        var config = RepositoryPaths.File("hocon", name);
        var code = name.Contains("mbpp", StringComparison.Ordinal);
        var model = name.Contains("instruct", StringComparison.Ordinal) ? fixture.InstructModelFolder : fixture.ModelFolder;
        var runDir = Path.Combine(fixture.Root, $"run-{Path.GetFileNameWithoutExtension(name)}-{extraSets.Length}");
        // A generator config has no files to replace: it gets a small epoch and held-out split instead.
        var generator = new[] { "knights-knaves", "sudoku" }.FirstOrDefault(g => name.Contains(g, StringComparison.Ordinal));
        string[] data = generator is not null
            ? [$"r1.data.{generator}.count=64", "r1.data.held-out-count=4"]
            : [$"r1.data.files=[\"{(code ? fixture.MbppTrain : fixture.GsmTrain)}\"]", $"r1.data.held-out-files=[\"{(code ? fixture.MbppTest : fixture.GsmTest)}\"]"];
        string[] sets =
        [
            $"r1.model.path=\"{model}\"",
            .. data,
            "r1.pipeline.devices=[\"cpu\"]", "r1.training.device=cpu",
            "r1.pipeline.group-size=2", "r1.pipeline.groups-per-step=2", "r1.pipeline.prompts-per-batch=2",
            "r1.sampling.max-new-tokens=12", "r1.pipeline.max-steps=2", "r1.eval.samples=2", "r1.eval.k=[1, 2]", "r1.run.rollout-log-every=1",
            "r1.training.algorithm.entropy-coefficient=0.01",
            .. extraSets,
        ];

        var run = BuiltExecutable.Run(AppContext.BaseDirectory, TimeSpan.FromMinutes(3),
            ["train", "--config", config, "--run-dir", runDir, .. sets.SelectMany(s => new[] { "--set", s })]);
        var output = run.Stdout + run.Stderr;
        Assert.True(run.ExitCode == 0, $"r1actors train exited with {run.ExitCode}\n{output}");

        var log = ClefRunLog.Read(runDir);
        Assert.True(log.Steps.Count == 2, $"expected 2 Step events, got {log.Steps.Count}\n{output}");
        foreach (var (step, metrics) in log.Steps)
        {
            Assert.True(double.IsFinite(metrics["Loss"]), $"step {step}: loss {metrics["Loss"]}");
            Assert.True(metrics["GradNorm"] > 0, $"step {step}: no gradient\n{output}");
            Assert.Equal(step, metrics["PolicyVersion"]);  // every step updated the weights
            Assert.Equal(4 * 12, metrics["NumTokens"]);     // B·G completions of max-new-tokens (a random model never stops)
        }
        Assert.True(log.Errors == 0, $"{log.Errors} error events:\n{string.Join("\n", new RunFolder(runDir).Events().Where(IsError).Select(e => e.ToString()))}");
        return (R1Settings.Load(config, sets).Settings, runDir, log);
    }

    /// <summary>Every logged rollout's reward is what the real verifier gives that completion, scored again here.</summary>
    private static async Task AssertRolloutRewardsAreTheVerifiersAsync(R1Settings settings, string runDir)
    {
        var rollouts = new RunFolder(runDir).Events().Where(e => e.TryGetProperty("EventKind", out var k) && k.GetString() == "Rollout").ToList();
        Assert.Equal(2, rollouts.Count);
        var prompts = await PromptSources.LoadAsync(settings.Data, DataSplit.Training, Serilog.Core.Logger.None, CancellationToken.None);
        var byId = Enumerable.Range(0, prompts.Count).Select(prompts.Get).ToDictionary(p => p.Id);
        await using var rewards = RewardDispatcher.Create(settings.Rewards);
        foreach (var rollout in rollouts)
        {
            var prompt = byId[rollout.GetProperty("PromptId").GetString()!];
            var completion = rollout.GetProperty("Completion").GetString()!;
            var rescored = await rewards.ScoreAsync(prompt.Task, completion, CancellationToken.None);
            Assert.Equal(rescored.Score, rollout.GetProperty("Reward").GetDouble());
            Assert.Equal(rescored.Reason ?? "", rollout.GetProperty("RewardReason").GetString());
            Assert.Equal(["answer", "format"], rollout.GetProperty("RewardComponents").EnumerateObject().Select(p => p.Name).Order());
        }
        Assert.Equal(0, rewards.Faults + rewards.SandboxFaults + rewards.UnknownKinds + rewards.InvalidReferences);
    }

    /// <summary>
    /// The checkpoint loads as a model folder with its tokenizer and chat template, writes prompts as the configuration
    /// asks, and holds weights the two steps changed.
    /// </summary>
    private void AssertTheCheckpointIsATrainedModelFolder(R1Settings settings, string checkpoint, ScalarType dtype)
    {
        using var replica = PolicyReplica.Load(settings.Model with { Path = checkpoint }, settings.Tokenizer, "cpu");
        var trained = replica.Model;
        Assert.Equal((64, 2, 4, 2), (trained.Config.HiddenSize, trained.Config.NumHiddenLayers, trained.Config.NumAttentionHeads, trained.Config.NumKeyValueHeads));
        Assert.Equal(dtype, Policy.Checkpoints.ModelFolder.ReadConfig(checkpoint).TorchDtype);   // as the learner trained it
        var expectedPrompt = settings.Tokenizer.PromptFormat == "chat"
            ? $"<|im_start|>system\n{settings.Tokenizer.SystemPrompt}<|im_end|>\n<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n"
            : settings.Tokenizer.R1ZeroTemplate.Replace("{question}", "What is 2 + 3?", StringComparison.Ordinal);
        Assert.Equal(expectedPrompt, replica.Tokenizer.Decode(replica.EncodePrompt("What is 2 + 3?")));
        using var initial = Policy.Checkpoints.ModelFolder.Load(fixture.ModelFolder, CPU, ScalarType.Float32);
        var before = initial.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Contains(trained.named_parameters(), p => !p.parameter.to(ScalarType.Float32).allclose(before[p.name], rtol: 0, atol: 0));
    }

    private static bool IsError(JsonElement e) => e.TryGetProperty("@l", out var level) && level.GetString() is "Error" or "Fatal";
}
