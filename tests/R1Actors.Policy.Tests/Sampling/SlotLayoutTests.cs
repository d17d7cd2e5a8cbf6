using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;

namespace R1Actors.Policy.Tests.Sampling;

public class SlotLayoutTests
{
    private static int[] Positions(int slots, params (int Slot, int Position)[] rows)
    {
        var positions = Enumerable.Repeat(-1, slots).ToArray();
        foreach (var (slot, position) in rows)
            positions[slot] = position;
        return positions;
    }

    [Fact]
    public void The_oldest_rows_move_into_the_first_chunks_and_rows_already_in_their_chunk_stay()
    {
        // 16 slots in chunks of 2: ranks 900, 500 | 40, 3. 900 and 3 are already in their chunk.
        var (from, to) = new SlotLayout(16).Moves(Positions(16, (1, 900), (2, 3), (5, 500), (6, 40)));
        Assert.Equal([5L, 6L], from);
        Assert.Equal([0L, 3L], to);
    }

    [Fact]
    public void Rows_ranked_by_chunk_do_not_move_whatever_their_order_inside_a_chunk()
    {
        var positions = Positions(16, (0, 50), (1, 60), (2, 30), (3, 40), (4, 10), (5, 20), (6, 5));
        Assert.Empty(new SlotLayout(16).Moves(positions).From);
    }

    [Fact]
    public void Chunks_of_similar_width_share_one_attention_call_and_a_long_row_gets_its_own()
    {
        var even = new SlotLayout(16).Segments([.. Enumerable.Repeat(100, 16)]);
        Assert.Equal([new SlotSegment(0, 16, 101)], even);
        int[] tail = [900, 880, 60, 50, 40, 40, 30, 30, 20, 20, 10, 10, 5, 5, -1, -1];
        var segments = new SlotLayout(16, callCost: 256).Segments(tail);
        Assert.Equal(new SlotSegment(0, 2, 901), segments[0]);
        Assert.Equal(16, segments.Sum(s => s.Count));
        Assert.True(segments.Sum(s => s.Count * s.Width) < 16 * 901 / 4);
    }
}
