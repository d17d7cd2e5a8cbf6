using R1Actors.Daemon;

namespace R1Actors.Tests.Daemon;

public sealed class StatusLineTimeTests
{
    [Theory]
    [InlineData(0, 1, 2, 3, "01:02:03")]
    [InlineData(3, 4, 5, 6, "3d 04:05:06")]      // a run of days keeps its days
    [InlineData(0, 0, 0, -5, "00:00:00")]        // past the budget: nothing left, never a negative time
    public void Time_left_shows_days_and_is_never_negative(int days, int hours, int minutes, int seconds, string expected) =>
        Assert.Equal(expected, StepEvents.TimeLeft(new TimeSpan(days, hours, minutes, seconds)));
}
