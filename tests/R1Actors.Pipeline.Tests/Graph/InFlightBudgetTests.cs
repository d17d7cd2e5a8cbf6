using R1Actors.Pipeline.Graph;

namespace R1Actors.Pipeline.Tests.Graph;

public sealed class InFlightBudgetTests
{
    [Fact]
    public async Task A_prompt_waiting_for_a_slot_is_refused_quietly_when_the_run_ends()
    {
        using var budget = new InFlightBudget(1);
        using var ended = new CancellationTokenSource();
        Assert.True(await budget.TryAcquireAsync(ended.Token));
        var waiting = budget.TryAcquireAsync(ended.Token);
        Assert.False(waiting.IsCompleted);

        await ended.CancelAsync();

        Assert.False(await waiting);                      // no exception: the end of a run is not a fault
        Assert.Equal(1, budget.InUse);
    }

    [Fact]
    public async Task A_released_slot_admits_the_prompt_waiting_for_it()
    {
        using var budget = new InFlightBudget(1);
        Assert.True(await budget.TryAcquireAsync(CancellationToken.None));
        var waiting = budget.TryAcquireAsync(CancellationToken.None);

        budget.Release(1);

        Assert.True(await waiting);
        Assert.Equal(1, budget.InUse);
    }

    [Fact]
    public async Task A_waiter_woken_by_a_release_of_several_slots_sees_the_rest_free()
    {
        // Deterministic batching closes a batch when the prompt it just admitted took the last free slot; a
        // waiter that saw "none free" right after a whole step's slots came back would cut a batch short.
        // The race shows up only now and then, so it is given many chances.
        using var budget = new InFlightBudget(6);
        for (var round = 0; round < 500; round++)
        {
            for (var i = 0; i < 6; i++)
                Assert.True(await budget.TryAcquireAsync(CancellationToken.None));
            Assert.Equal(0, budget.Available);
            var waiter = Task.Run(async () =>
            {
                Assert.True(await budget.TryAcquireAsync(CancellationToken.None));
                return budget.Available;
            });
            await Task.Delay(round % 3);
            budget.Release(6);
            Assert.Equal(5, await waiter);
            budget.Release(1);
            Assert.Equal(6, budget.Available);
            Assert.Equal(0, budget.InUse);
        }
    }

    [Fact]
    public async Task Slots_in_use_count_acquisitions_and_releases()
    {
        using var budget = new InFlightBudget(3);
        Assert.True(await budget.TryAcquireAsync(CancellationToken.None));
        Assert.True(await budget.TryAcquireAsync(CancellationToken.None));
        Assert.Equal(2, budget.InUse);
        Assert.Equal(1, budget.Available);

        budget.Release(2);
        Assert.Equal(0, budget.InUse);
        Assert.Equal(3, budget.Available);
    }
}
