using System.Text.Json;
using R1Actors.Pipeline.Contracts;

namespace R1Actors.Pipeline.Tests.Contracts;

public sealed class PipelineProgressTests
{
    [Fact]
    public void Progress_survives_a_round_trip_through_trainer_state_json()
    {
        var progress = new PipelineProgress(120, 121, new PromptCursor(3, 17), [new PromptCursor(3, 19), new PromptCursor(4, 0)], 7473, 42, ulong.MaxValue - 5);

        var json = JsonSerializer.Serialize(progress);
        var back = JsonSerializer.Deserialize<PipelineProgress>(json)!;

        Assert.Equal(progress with { ConsumedAhead = [] }, back with { ConsumedAhead = [] });
        Assert.Equal(progress.ConsumedAhead, back.ConsumedAhead);
        Assert.Contains("\"NextPrompt\":{\"Epoch\":3,\"Position\":17}", json);
    }
}
