using System.Text.Json;
using R1Actors.Cli;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// Configuration and data mistakes that <c>r1actors train</c> finds after its host started (data loaded, checkpoint
/// opened, sandbox checked), on the built executable: each exits with code 2 and one line on stderr that names the
/// key and the file, with no stack trace and no advice to restart.
/// </summary>
public sealed class TrainConfigurationErrorTests : IDisposable
{
    // One step of two groups of two, no evaluation: a run that gets as far as the mistake ends in seconds.
    private static readonly string[] Small =
    [
        "r1.pipeline.max-steps=1", "r1.pipeline.group-size=2", "r1.pipeline.groups-per-step=2", "r1.pipeline.prompts-per-batch=2",
        "r1.eval.before-training=false", "r1.eval.after-training=false", "r1.run.max-duration=0",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("r1-train-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_data_file_names_the_key_where_it_was_set_and_the_file()
    {
        var run = TrainOnFiles(Path.Combine(_dir, "nope.jsonl"));

        AssertOneLineConfigurationError(run, "at --set, key 'r1.data.files'", "nope.jsonl", "does not exist");
    }

    [Fact]
    public void A_data_file_without_a_usable_record_names_the_key_and_the_file()
    {
        var file = WriteJsonl("empty.jsonl", new { nothing = 1 });

        var run = TrainOnFiles(file);

        AssertOneLineConfigurationError(run, "r1.data.files", file, "no usable prompt");
    }

    [Fact]
    public void A_task_kind_without_a_reward_function_names_the_record_by_file_and_line()
    {
        var file = WriteJsonl("poetry.jsonl", Exact(1), new { prompt = "a poem", task = "poetry" });

        var run = TrainOnFiles(file);

        AssertOneLineConfigurationError(run, "r1.data.fields.task", $"{file} line 2", "task kind 'poetry'");
    }

    [Fact]
    public void A_code_task_after_the_thousandth_record_needs_the_interpreter_before_training_starts()
    {
        var records = Enumerable.Range(1, 1_600).Select(i => i == 1_500 ? new { prompt = "write f", task = "code", test_code = "assert f() == 1" } : Exact(i));
        var file = WriteJsonl("mixed.jsonl", [.. records]);

        var run = TrainOnFiles(file, "r1.rewards.code.python=\"no-such-python3\"");

        AssertOneLineConfigurationError(run, "r1.rewards.code.python", "'no-such-python3' was not found", $"{file} line 1500");
    }

    [Fact]
    public void A_resume_onto_data_of_another_size_names_the_checkpoint()
    {
        var runDir = Path.Combine(_dir, "run");
        Assert.Equal(ExitCodes.Success, Train(runDir, "r1.data.arithmetic.count=1000").ExitCode);

        var run = Train(runDir, "r1.data.arithmetic.count=999", "r1.pipeline.max-steps=2");

        AssertOneLineConfigurationError(run, "r1.data", Path.Combine(runDir, "checkpoints", "checkpoint-1", "trainer_state.json"), "1000 prompts");
    }

    [Fact]
    public void A_resume_with_other_tiny_model_sizes_names_the_key_and_the_run_folders_base_model()
    {
        var runDir = Path.Combine(_dir, "run");
        string[] tiny = ["r1.model.path=\"\"", "r1.model.tiny.hidden-size=32", "r1.model.tiny.layers=1", "r1.model.tiny.intermediate-size=64"];
        Assert.Equal(ExitCodes.Success, Train(runDir, tiny).ExitCode);

        var run = Train(runDir, [.. tiny, "r1.model.tiny.hidden-size=64", "r1.pipeline.max-steps=2"]);

        AssertOneLineConfigurationError(run, "r1.model.tiny", Path.Combine(runDir, "base-model", "config.json"), "hidden_size 64 vs 32");
    }

    [Fact]
    public void A_resume_onto_a_model_of_another_shape_names_both_config_files()
    {
        var runDir = Path.Combine(_dir, "run");
        Assert.Equal(ExitCodes.Success, Train(runDir, "r1.model.path=\"\"", "r1.model.tiny.hidden-size=32", "r1.model.tiny.layers=1").ExitCode);

        var run = Train(runDir, "r1.pipeline.max-steps=2");   // default.conf's models/tiny-adder

        AssertOneLineConfigurationError(run, "r1.model.path", Path.Combine(runDir, "checkpoints", "checkpoint-1", "config.json"),
            Path.Combine("tiny-adder", "config.json"), "hidden_size 32 vs 128");
    }

    [Fact]
    public void A_lora_target_module_the_model_does_not_have_names_the_key()
    {
        var run = Train(Path.Combine(_dir, "run"), "r1.training.lora.enabled=true", "r1.training.lora.target-modules=[q_proj, qkv_proj]");

        AssertOneLineConfigurationError(run, "key 'r1.training.lora.target-modules'", "qkv_proj");
    }

    [Fact]
    public void Resuming_a_lora_run_with_another_rank_names_the_adapter_config()
    {
        var folder = Path.Combine(_dir, "run");
        Assert.Equal(ExitCodes.Success, Train(folder, "r1.training.lora.enabled=true", "r1.training.lora.rank=4").ExitCode);

        var run = Train(folder, "r1.training.lora.enabled=true", "r1.training.lora.rank=8");

        AssertOneLineConfigurationError(run, "adapter_config.json", "rank = 8");
    }

    private static void AssertOneLineConfigurationError(ExecutableRun run, params string[] fragments)
    {
        var output = $"stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}";
        Assert.True(run.ExitCode == ExitCodes.Usage, $"exit code {run.ExitCode}\n{output}");
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var fragment in fragments)
            Assert.True(line.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' is not in the error line:\n{line}");
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("restart resumes", output, StringComparison.Ordinal);
    }

    private static object Exact(int i) => new { prompt = $"{i}+1=", task = "exact", answer = $"{i + 1}" };

    private string WriteJsonl(string name, params object[] records)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, records.Select(r => JsonSerializer.Serialize(r)));
        return path;
    }

    private ExecutableRun TrainOnFiles(string file, params string[] sets) =>
        Train(Path.Combine(_dir, "run"), ["r1.data.source=\"files\"", $"r1.data.files=[\"{file}\"]", .. sets]);

    private static ExecutableRun Train(string runDir, params string[] sets) =>
        BuiltExecutable.Run(RepositoryPaths.Root, TimeSpan.FromMinutes(1),
            ["train", "--config", RepositoryPaths.File("hocon", "default.conf"), "--run-dir", runDir, .. Small.Concat(sets).SelectMany(s => new[] { "--set", s })]);
}
