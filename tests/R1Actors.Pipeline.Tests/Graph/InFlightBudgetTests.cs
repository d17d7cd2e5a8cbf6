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
}
