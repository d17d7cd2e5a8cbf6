using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// Process-level, with <c>r1.training.lora</c> on: the built daemon trains an adapter, checkpoints it in PEFT's
/// layout, logs the bytes it publishes, and 10 steps + SIGKILL + resume end where 20 steps in one go end.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class LoraDaemonTests : IDisposable
{
    private static readonly string[] Lora = ["r1.training.lora.enabled=true", "r1.training.lora.rank=4", "r1.training.lora.dropout=0.1", "r1.training.optimizer.lr=2e-3"];
    private readonly string _oneGo = Directory.CreateTempSubdirectory("r1-lora-").FullName;
    private readonly string _resumed = Directory.CreateTempSubdirectory("r1-lora-resumed-").FullName;
    private readonly List<DaemonProcess> _daemons = [];

    [Fact]
    public async Task A_lora_run_checkpoints_its_adapter_publishes_it_alone_and_resumes_exactly()
    {
        var reference = Start(_oneGo);
        Assert.True(await reference.ExitAsync(ReferenceRun.Timeout) == 0, reference.Output);
        var oneGo = new RunFolder(_oneGo);
        var final = oneGo.Checkpoint(ReferenceRun.Steps);
        Assert.True(File.Exists(Path.Combine(final, "adapter_config.json")));
        Assert.False(File.Exists(Path.Combine(final, "model.safetensors")));
        var published = RunFolder.Steps(oneGo.Segments()[^1]).Select(e => e.GetProperty("PublishedBytes").GetDouble()).Where(b => b > 0).Distinct().ToArray();
        var adapterFile = new FileInfo(Path.Combine(final, "adapter_model.safetensors")).Length;
        var bytes = Assert.Single(published);                 // every applied step publishes the same adapter tensors
        Assert.InRange(bytes, adapterFile - 64 * 1024, adapterFile);   // the file is those tensors and a header

        var first = Start(_resumed);
        var run = new RunFolder(_resumed);
        await RunFolder.KillWhenAsync(() => File.Exists(Path.Combine(run.Checkpoint(10), "manifest.json")), first, ReferenceRun.Timeout, "a complete checkpoint-10"); // somewhere in step 11 or 12
        Assert.Equal(10, run.NewestCompleteCheckpoint());
        var second = Start(_resumed);
        Assert.Equal(0, await second.ExitAsync(ReferenceRun.Timeout));
        Assert.Equal(Enumerable.Range(11, 10).Select(s => (long)s), RunFolder.Steps(run.Segments()[^1]).Select(e => RunFolder.Long(e, "Step")));

        var resumed = run.Checkpoint(ReferenceRun.Steps);
        Safetensors.AssertIdentical(Path.Combine(final, "adapter_model.safetensors"), Path.Combine(resumed, "adapter_model.safetensors"));
        Safetensors.AssertIdentical(Path.Combine(final, "optimizer.safetensors"), Path.Combine(resumed, "optimizer.safetensors"));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(final, "trainer_state.json")));
        using var actual = JsonDocument.Parse(File.ReadAllText(Path.Combine(resumed, "trainer_state.json")));
        Assert.Equal(expected.RootElement.GetProperty("pipeline").GetRawText(), actual.RootElement.GetProperty("pipeline").GetRawText());
    }

    private DaemonProcess Start(string folder)
    {
        var daemon = DaemonProcess.Train(folder, ReferenceRun.Settings(Lora));
        _daemons.Add(daemon);
        return daemon;
    }

    public void Dispose()
    {
        foreach (var daemon in _daemons)
            daemon.Dispose();
        Directory.Delete(_oneGo, recursive: true);
        Directory.Delete(_resumed, recursive: true);
    }
}
