using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class TraceFileTests : IDisposable
{
    private readonly DatasetFiles _files = new();
    private readonly CapturedLog _log = new();

    [Fact]
    public void Malformed_lines_are_skipped_and_counted_with_their_file_and_line()
    {
        var path = _files.Write("traces.jsonl",
            """{"prompt": "12+345=", "completion": "753"}""",
            "",
            """{"prompt": "1+1="}""",
            """not json""",
            """{"prompt": "2+2=", "completion": 4}""",
            """["prompt", "completion"]""",
            """{"prompt": "", "completion": "1"}""",
            """{"prompt": "9+9=", "completion": "81", "extra": true}""");

        var set = TraceFile.Read(path, _log.Logger);

        Assert.Equal([new Trace("traces.jsonl:1", "12+345=", "753"), new Trace("traces.jsonl:8", "9+9=", "81")], set.Traces);
        Assert.Equal(5, set.Skipped.Count);
        Assert.Equal("traces.jsonl:3: no \"completion\" string", set.Skipped[0]);
        Assert.StartsWith("traces.jsonl:4: not valid JSON", set.Skipped[1]);
        Assert.Equal("traces.jsonl:5: no \"completion\" string", set.Skipped[2]);
        Assert.Equal("traces.jsonl:6: a array, not an object", set.Skipped[3]);
        Assert.Equal("traces.jsonl:7: \"prompt\" is empty", set.Skipped[4]);
        Assert.Equal(5, _log.With("TraceLocation").Count());
        Assert.Contains(_log.Events, e => e.Properties.TryGetValue("SkippedTraces", out var n) && n.ToString() == "5");
    }

    [Fact]
    public void A_missing_file_is_a_configuration_error_naming_the_key_and_the_path()
    {
        var missing = Path.Combine(_files.Folder, "nope.jsonl");

        var error = Assert.Throws<SettingsException>(() => TraceFile.Read(missing, _log.Logger));

        Assert.Equal(TraceFile.Key, error.Key);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void A_file_without_one_usable_trace_is_a_configuration_error_that_quotes_the_first_bad_line()
    {
        var path = _files.Write("bad.jsonl", """{"question": "1+1=", "answer": "2"}""", "{");

        var error = Assert.Throws<SettingsException>(() => TraceFile.Read(path, _log.Logger));

        Assert.Equal(TraceFile.Key, error.Key);
        Assert.Contains("no usable trace (2 malformed lines, the first: bad.jsonl:1: no \"prompt\" string)", error.Message);
    }

    [Fact]
    public void Written_traces_read_back_in_order_and_no_partial_file_is_left()
    {
        var path = Path.Combine(_files.Folder, "out", "traces.jsonl");

        TraceFile.Write(path, [("1+2=", "3"), ("say \"hi\"\n", "hi")]);

        Assert.Equal([("1+2=", "3"), ("say \"hi\"\n", "hi")], TraceFile.Read(path, _log.Logger).Traces.Select(t => (t.Prompt, t.Completion)));
        Assert.False(File.Exists(path + ".partial"));
    }

    public void Dispose() => _files.Dispose();
}
