using R1Actors.Training.Checkpoints;
using R1Actors.Training.Learning;
using R1Actors.Training.Tests.Support;
using Serilog.Events;

namespace R1Actors.Training.Tests.Checkpoints;

public class CheckpointStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly R1Actors.Policy.Model.CausalLanguageModel _model = PolicyModels.Random();
    private readonly Learner _learner;

    public CheckpointStoreTests() => _learner = new Learner(_model, Settings.Learner());

    private void Step() =>
        _learner.Train(Groups.Batch([Groups.Of([1], [Groups.Completion([3, 4], 1.0), Groups.Completion([5], 0.0)])]));

    private CheckpointStore Store(CollectingSink? sink = null) => new(_folder.Path, keepLast: 2, log: sink?.Logger());

    [Fact]
    public void Only_the_newest_checkpoints_are_kept()
    {
        var store = Store();
        for (var i = 0; i < 4; i++)
        {
            Step();
            store.Save(_learner);
        }
        Assert.Equal(["checkpoint-3", "checkpoint-4"], Directory.EnumerateDirectories(_folder.Path).Select(Path.GetFileName).Order());
        Assert.Equal([4L, 3L], store.Complete().Select(c => c.Step));
    }

    [Fact]
    public void A_newer_checkpoint_left_by_an_abandoned_run_is_removed_instead_of_taking_a_kept_place()
    {
        var sink = new CollectingSink();
        var store = Store(sink);
        Step();
        var first = store.Save(_learner);
        // A later checkpoint that resume passed over (its manifest never written: a crash mid-save of an older version).
        var abandoned = Path.Combine(_folder.Path, "checkpoint-7");
        Directory.CreateDirectory(abandoned);
        foreach (var file in Directory.EnumerateFiles(first.Path).Where(f => Path.GetFileName(f) != CheckpointManifest.FileName))
            File.Copy(file, Path.Combine(abandoned, Path.GetFileName(file)));
        Assert.Equal(1, store.Latest()!.Step);

        Step();
        store.Save(_learner);

        Assert.Equal(["checkpoint-1", "checkpoint-2"], Directory.EnumerateDirectories(_folder.Path).Select(Path.GetFileName).Order());
        Assert.Contains(sink.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("checkpoint-7", StringComparison.Ordinal));
    }

    [Fact]
    public void Resume_skips_a_checkpoint_whose_manifest_is_missing()
    {
        var store = Store();
        Step();
        store.Save(_learner);
        Step();
        var newest = store.Save(_learner);
        File.Delete(Path.Combine(newest.Path, CheckpointManifest.FileName));
        Assert.Equal(1, store.Latest()!.Step);
    }

    [Fact]
    public void Resume_skips_a_checkpoint_with_a_truncated_file_and_says_why()
    {
        var sink = new CollectingSink();
        var store = Store(sink);
        Step();
        store.Save(_learner);
        Step();
        var newest = store.Save(_learner);
        var weights = Path.Combine(newest.Path, "model.safetensors");
        using (var stream = new FileStream(weights, FileMode.Open))
            stream.SetLength(stream.Length / 2);
        Assert.Equal(1, store.Latest()!.Step);
        Assert.Contains(sink.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("model.safetensors has"));
    }

    [Fact]
    public void Resume_skips_a_checkpoint_whose_bytes_changed()
    {
        var store = Store();
        Step();
        store.Save(_learner);
        Step();
        var newest = store.Save(_learner);
        var weights = Path.Combine(newest.Path, "optimizer.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        Assert.Equal(1, store.Latest()!.Step);
    }

    [Fact]
    public void Unfinished_saves_are_ignored_and_removed_at_start_up()
    {
        var store = Store();
        Step();
        store.Save(_learner);
        var partial = Directory.CreateDirectory(Path.Combine(_folder.Path, ".checkpoint-2.partial-0123"));
        File.WriteAllText(Path.Combine(partial.FullName, "config.json"), "{}");
        Assert.Equal(1, store.Latest()!.Step);
        Assert.Equal(1, store.RemovePartialSaves());
        Assert.False(partial.Exists && Directory.Exists(partial.FullName));
    }

    [Fact]
    public void A_fresh_run_has_no_checkpoint()
    {
        Assert.Null(new CheckpointStore(Path.Combine(_folder.Path, "not-yet"), keepLast: 1).Latest());
    }

    [Fact]
    public void Saving_a_step_again_replaces_its_checkpoint()
    {
        var store = Store();
        Step();
        store.Save(_learner);
        var again = store.Save(_learner);
        Assert.Null(CheckpointManifest.Problem(again.Path, verifyHashes: true));
        Assert.Single(Directory.EnumerateDirectories(_folder.Path));
    }

    public void Dispose()
    {
        _learner.Dispose();
        _model.Dispose();
        _folder.Dispose();
    }
}
