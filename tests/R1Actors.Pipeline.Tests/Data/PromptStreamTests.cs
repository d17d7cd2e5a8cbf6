using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Graph;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class PromptStreamTests
{
    private static PromptStream Stream(int count = 10, long maxEpochs = 0, bool shuffle = true) =>
        Harness.Arithmetic(count, shuffle, maxEpochs);

    [Fact]
    public void Each_epoch_is_a_seeded_permutation_and_epochs_differ()
    {
        var stream = Stream(50);

        var first = stream.Order(0);
        Assert.Equal(Enumerable.Range(0, 50), first.Order());
        Assert.Equal(first, Stream(50).Order(0));
        Assert.NotEqual(first, stream.Order(1));
        Assert.Equal(Enumerable.Range(0, 50), Stream(50, shuffle: false).Order(3));
    }

    [Fact]
    public void Cursors_and_ordinals_name_the_same_prompt_across_epochs()
    {
        var stream = Stream(10);

        Assert.Equal(new PromptCursor(2, 3), stream.CursorOf(23));
        Assert.Equal(23, stream.OrdinalOf(new PromptCursor(2, 3)));
        var issued = stream.From(new PromptCursor(0, 0), []).Take(25).ToArray();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), issued.Select(p => p.Ordinal));
        Assert.Equal(stream.Dataset.Get(stream.Order(2)[3]).Id, issued[23].Prompt.Id);
        Assert.Equal(issued.Take(10).Select(p => p.Prompt.Id).Order(), issued.Skip(10).Take(10).Select(p => p.Prompt.Id).Order());
    }

    [Fact]
    public void Resuming_at_an_epoch_boundary_starts_the_next_epoch_at_its_first_prompt()
    {
        var straight = Stream(10).From(new PromptCursor(0, 0), []).Take(20).ToArray();

        var resumed = Stream(10).From(new PromptCursor(1, 0), []).Take(10).ToArray();

        Assert.Equal(straight.Skip(10).Select(p => (p.Ordinal, p.Prompt.Id)), resumed.Select(p => (p.Ordinal, p.Prompt.Id)));
        Assert.Equal(new PromptCursor(1, 0), resumed[0].Cursor);
    }

    [Fact]
    public void Resuming_skips_prompts_consumed_ahead_of_the_cursor_also_past_the_epoch_end()
    {
        var stream = Stream(10);

        var resumed = stream.From(new PromptCursor(0, 8), [new PromptCursor(0, 9), new PromptCursor(1, 1)]).Take(4).ToArray();

        Assert.Equal([8L, 10, 12, 13], resumed.Select(p => p.Ordinal));
    }

    [Fact]
    public void The_stream_ends_after_max_epochs()
    {
        Assert.Equal(30, Stream(10, maxEpochs: 3).From(new PromptCursor(0, 0), []).Count());
        Assert.Equal(15, Stream(10, maxEpochs: 3).From(new PromptCursor(1, 5), []).Count());
    }

    [Fact]
    public void The_progress_tracker_moves_its_cursor_over_prompts_done_out_of_order()
    {
        var tracker = new ProgressTracker(5, []);

        tracker.MarkDone(7);
        tracker.MarkDone(6);
        Assert.Equal(5, tracker.Next);
        Assert.Equal([6L, 7], tracker.Ahead);
        tracker.MarkDone(5);
        Assert.Equal(8, tracker.Next);
        Assert.Empty(tracker.Ahead);
        Assert.Throws<InvalidOperationException>(() => tracker.MarkDone(6));
    }
}
