using System.Text.Json;
using R1Actors.Pipeline.Contracts;

namespace R1Actors.Pipeline.Tests.Contracts;

public sealed class PipelineProgressTests
{
    [Fact]
    public void Progress_survives_a_round_trip_through_trainer_state_json()
    {
        var progress = new PipelineProgress(120, 121, new PromptCursor(3, 17), [new PromptCursor(3, 19), new PromptCursor(4, 0)], 7473, 42, ulong.MaxValue - 5, 3);

        var json = JsonSerializer.Serialize(progress);
        var back = JsonSerializer.Deserialize<PipelineProgress>(json)!;

        Harness.SameProgress(progress, back);
        Assert.Contains("\"NextPrompt\":{\"Epoch\":3,\"Position\":17}", json);
    }

    [Fact]
    public void Progress_saved_before_discards_were_counted_reads_as_none_discarded()
    {
        const string older = "{\"Step\":4,\"PolicyVersion\":4,\"NextPrompt\":{\"Epoch\":0,\"Position\":16},\"ConsumedAhead\":[],\"DatasetCount\":999,\"DataSeed\":7,\"RunSeed\":1234}";

        var progress = JsonSerializer.Deserialize<PipelineProgress>(older)!;

        Assert.Equal(4, progress.Step);
        Assert.Equal(0, progress.DiscardedInStep);
    }
}
