using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// A daemon's run folder as the tests read it, independently of the code under test: the CLEF log (lines cut
/// by a SIGKILL skipped), split into one segment per process start, and the checkpoint folders.
/// </summary>
internal sealed class RunFolder(string path)
{
    public string Path { get; } = path;

    public string Checkpoint(long step) => System.IO.Path.Combine(Path, "checkpoints", $"checkpoint-{step}");

    /// <summary>
    /// The newest checkpoint a correct resume must pick: the highest step whose folder holds its manifest
    /// (written last, inside the temporary folder, before the rename; deleted first when a folder is retired).
    /// </summary>
    public long? NewestCompleteCheckpoint()
    {
        var folder = System.IO.Path.Combine(Path, "checkpoints");
        if (!Directory.Exists(folder))
            return null;
        var steps = Directory.GetDirectories(folder, "checkpoint-*")
            .Where(d => File.Exists(System.IO.Path.Combine(d, "manifest.json")))
            .Select(d => long.Parse(System.IO.Path.GetFileName(d)["checkpoint-".Length..], CultureInfo.InvariantCulture))
            .ToArray();
        return steps.Length == 0 ? null : steps.Max();
    }

    /// <summary>Every event of the run's CLEF files, in order.</summary>
    public IReadOnlyList<JsonElement> Events()
    {
        var logs = System.IO.Path.Combine(Path, "logs");
        var events = new List<JsonElement>();
        if (!Directory.Exists(logs))
            return events;
        foreach (var file in Directory.GetFiles(logs, "r1actors-*.clef").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                try
                {
                    using var json = JsonDocument.Parse(line);
                    events.Add(json.RootElement.Clone());
                }
                catch (JsonException)
                {
                    // the last line of a killed process may be cut short
                }
            }
        }
        return events;
    }

    /// <summary>The events of each process that ran in this folder, oldest first (each from its RunStarted on; a process killed before it logged one has none).</summary>
    public IReadOnlyList<IReadOnlyList<JsonElement>> Segments()
    {
        var segments = new List<List<JsonElement>>();
        foreach (var e in Events())
        {
            if (Kind(e) == "RunStarted")
                segments.Add([]);
            if (segments.Count > 0)
                segments[^1].Add(e);
        }
        return segments;
    }

    /// <summary>The Step events of a segment.</summary>
    public static IReadOnlyList<JsonElement> Steps(IEnumerable<JsonElement> segment) => [.. segment.Where(e => Kind(e) == "Step")];

    public static string? Kind(JsonElement e) => e.TryGetProperty("EventKind", out var kind) ? kind.GetString() : null;

    public static long Long(JsonElement e, string property) => e.GetProperty(property).GetInt64();

    public static double Number(JsonElement e, string property) => e.GetProperty(property).GetDouble();

    /// <summary>The highest step logged so far (0 before the first).</summary>
    public long LastLoggedStep() => Steps(Events()).Select(e => Long(e, "Step")).DefaultIfEmpty(0).Max();

    /// <summary>Polls until <paramref name="condition"/> holds; fails with the daemon's output if it exits first or time runs out.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, DaemonProcess daemon, TimeSpan timeout, string what) =>
        PollAsync(condition, daemon, timeout, what, reached: null);

    /// <summary>
    /// SIGKILLs <paramref name="daemon"/> the moment <paramref name="condition"/> holds. The polling and the kill run on a
    /// thread of their own: an awaited poll resumes on the thread pool, which a loaded test host (every project at once
    /// on two cores) can leave waiting for seconds, long enough for a short run to finish before its kill.
    /// </summary>
    public static Task KillWhenAsync(Func<bool> condition, DaemonProcess daemon, TimeSpan timeout, string what) =>
        PollAsync(condition, daemon, timeout, what, reached: daemon.Kill);

    private static Task PollAsync(Func<bool> condition, DaemonProcess daemon, TimeSpan timeout, string what, Action? reached) =>
        Task.Factory.StartNew(() =>
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                if (daemon.HasExited)
                    Assert.Fail($"the daemon exited ({daemon.ExitCode}) before {what}; its output:\n{daemon.Output}");
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"no {what} within {timeout}; the daemon's output:\n{daemon.Output}");
                Thread.Sleep(10);
            }
            reached?.Invoke();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}

/// <summary>Tensor-by-tensor comparison of two safetensors files, bit for bit, read without libtorch.</summary>
internal static class Safetensors
{
    public static void AssertIdentical(string expectedFile, string actualFile)
    {
        var expected = Read(expectedFile);
        var actual = Read(actualFile);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected)
        {
            var other = actual[name];
            Assert.True(tensor.Header == other.Header, $"{name}: {tensor.Header} against {other.Header} in {actualFile}");
            Assert.True(tensor.Data.AsSpan().SequenceEqual(other.Data), $"{name} differs from the reference in {actualFile}");
        }
    }

    /// <summary>Name → (dtype and shape as written, raw bytes); the header's own metadata entry is left out.</summary>
    private static Dictionary<string, (string Header, byte[] Data)> Read(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var tensors = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            var offsets = entry.Value.GetProperty("data_offsets");
            var (begin, end) = (8 + headerLength + offsets[0].GetInt32(), 8 + headerLength + offsets[1].GetInt32());
            var shape = string.Join('×', entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            tensors[entry.Name] = ($"{entry.Value.GetProperty("dtype").GetString()} [{shape}]", bytes[begin..end]);
        }
        return tensors;
    }
}
