using R1Actors.Logging;
using Serilog;

namespace R1Actors.Tests.Logging;

public class StatusLineTests
{
    [Fact]
    public void Log_lines_scroll_above_the_status_line_which_is_redrawn_after_each()
    {
        var output = new StringWriter();
        var status = new StatusLine(output);
        using var log = new LoggerConfiguration().WriteTo.Sink(status).CreateLogger();
        status.Update("step 1 | reward 0.500");
        log.Information("Checkpoint saved at step {Step}", 1);
        status.Update("step 2 | reward 0.750");
        status.Clear();

        var text = output.ToString();
        const string clear = "\r\u001b[2K";
        // The event is written on a cleared line, then the current status is drawn again below it.
        var logged = text.IndexOf("Checkpoint saved at step 1", StringComparison.Ordinal);
        Assert.True(logged > 0);
        Assert.Equal(clear, text.Substring(logged - clear.Length - 15, clear.Length));
        Assert.Contains("Checkpoint saved at step 1" + Environment.NewLine + "step 1 | reward 0.500", text);
        Assert.EndsWith(clear + "step 2 | reward 0.750" + clear, text);
    }
}
