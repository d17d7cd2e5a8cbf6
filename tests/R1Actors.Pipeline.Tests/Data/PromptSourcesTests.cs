using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class PromptSourcesTests : IDisposable
{
    private readonly DatasetFiles _files = new();
    private readonly CapturedLog _log = new();

    private static DataSettings Settings(string source, params string[] files) => new(
        source, files, Seed: 3, Shuffle: true, MaxEpochs: 0, HeldOutFraction: 0.2, HeldOutCount: 50, MaxLoggedSkips: 5,
        DatasetFiles.Fields,
        new CountdownOptions(200, 3, 4, 50, 10, 100),
        new ArithmeticOptions(200, 1, 3, ArithmeticOperation.All, false));

    [Fact]
    public async Task Files_split_into_training_and_held_out_prompts_that_never_overlap()
    {
        var a = _files.Write("a.jsonl", Enumerable.Range(0, 60).Select(i => $$"""{"prompt": "q{{i}}", "answer": "{{i}}"}""").ToArray());
        var b = _files.Write("b.jsonl", Enumerable.Range(60, 60).Select(i => $$"""{"prompt": "q{{i}}", "answer": "{{i}}"}""").ToArray());
        var settings = Settings("files", a, b);

        var training = await PromptSources.LoadAsync(settings, DataSplit.Training, _log.Logger, CancellationToken.None);
        var heldOut = await PromptSources.LoadAsync(settings, DataSplit.HeldOut, _log.Logger, CancellationToken.None);

        Assert.Equal(120, training.Count + heldOut.Count);
        Assert.InRange(heldOut.Count, 8, 45);
        var trainingIds = Enumerable.Range(0, training.Count).Select(i => training.Get(i).Id).ToHashSet();
        Assert.All(Enumerable.Range(0, heldOut.Count), i => Assert.DoesNotContain(heldOut.Get(i).Id, trainingIds));
    }

    [Fact]
    public async Task Held_out_files_are_the_held_out_split_and_their_prompts_never_reach_training()
    {
        var train = _files.Write("train.jsonl", Enumerable.Range(0, 30).Select(i => $$"""{"prompt": "q{{i}}", "answer": "{{i}}"}""").ToArray());
        var test = _files.Write("test.jsonl", Enumerable.Range(25, 10).Select(i => $$"""{"prompt": "q{{i}}", "answer": "{{i}}"}""").ToArray());
        var settings = Settings("files", train) with { HeldOutFraction = 0, HeldOutFiles = [test] };

        var training = await PromptSources.LoadAsync(settings, DataSplit.Training, _log.Logger, CancellationToken.None);
        var heldOut = await PromptSources.LoadAsync(settings, DataSplit.HeldOut, _log.Logger, CancellationToken.None);

        Assert.Equal(10, heldOut.Count);
        Assert.Equal(25, training.Count);                     // q25..q29 are in both files: held out only
        var trainingTexts = Enumerable.Range(0, training.Count).Select(i => ((TextPrompt)training.Get(i).Content).Text).ToHashSet();
        Assert.All(Enumerable.Range(0, heldOut.Count), i => Assert.DoesNotContain(((TextPrompt)heldOut.Get(i).Content).Text, trainingTexts));
        Assert.Single(_log.With("DroppedPrompts"));
    }

    [Fact]
    public async Task A_missing_held_out_file_is_an_error_that_names_its_key()
    {
        var train = _files.Write("train.jsonl", """{"prompt": "q", "answer": "1"}""");
        var settings = Settings("files", train) with { HeldOutFiles = [Path.Combine(_files.Folder, "test.jsonl")] };

        var error = await Assert.ThrowsAsync<SettingsException>(() => PromptSources.LoadAsync(settings, DataSplit.HeldOut, _log.Logger, CancellationToken.None));

        Assert.Equal("r1.data.held-out-files", error.Key);
    }

    [Theory]
    [InlineData("countdown")]
    [InlineData("arithmetic")]
    public async Task Generators_serve_their_training_count_and_their_held_out_count(string source)
    {
        var settings = Settings(source);

        var training = await PromptSources.LoadAsync(settings, DataSplit.Training, _log.Logger, CancellationToken.None);
        var heldOut = await PromptSources.LoadAsync(settings, DataSplit.HeldOut, _log.Logger, CancellationToken.None);

        Assert.Equal(200, training.Count);
        Assert.Equal(50, heldOut.Count);
        Assert.Equal(source == "countdown" ? "countdown" : "exact", heldOut.Get(49).Task.Kind);
    }

    [Fact]
    public async Task A_missing_file_is_an_error_that_names_the_key_and_the_file()
    {
        var missing = Path.Combine(_files.Folder, "nope.jsonl");

        var error = await Assert.ThrowsAsync<SettingsException>(() => PromptSources.LoadAsync(Settings("files", missing), DataSplit.Training, _log.Logger, CancellationToken.None));

        Assert.Equal("r1.data.files", error.Key);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public async Task Files_without_a_single_usable_prompt_are_an_error_that_points_at_the_field_mapping()
    {
        var path = _files.Write("wrong-fields.jsonl", """{"question": "q1", "solution": "1"}""", """{"question": "q2", "solution": "2"}""");

        var error = await Assert.ThrowsAsync<SettingsException>(() => PromptSources.LoadAsync(Settings("files", path), DataSplit.Training, _log.Logger, CancellationToken.None));

        Assert.Contains("no usable prompt", error.Message);
        Assert.Contains("r1.data.fields", error.Message);
        Assert.Equal(2, _log.With("SkipReason").Count());
    }

    public void Dispose() => _files.Dispose();
}
