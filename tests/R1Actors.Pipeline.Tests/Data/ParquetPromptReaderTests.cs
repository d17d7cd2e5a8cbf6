using Parquet.Serialization;
using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class ParquetPromptReaderTests : IDisposable
{
    private readonly DatasetFiles _files = new();
    private readonly CapturedLog _log = new();

    public sealed class Message
    {
        public string? role { get; set; }

        public string? content { get; set; }
    }

    public sealed class Row
    {
        public string? id { get; set; }

        public List<Message>? prompt { get; set; }

        public string? task { get; set; }

        public List<long>? nums { get; set; }

        public long? target { get; set; }
    }

    [Fact]
    public async Task Rows_with_chat_messages_and_number_lists_map_like_jsonl_and_bad_rows_are_skipped_by_row_number()
    {
        var path = Path.Combine(_files.Folder, "countdown.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            new Row { id = "c1", prompt = [new Message { role = "user", content = "Reach 24 with 3 8 1" }], task = "countdown", nums = [3, 8, 1], target = 24 },
            new Row { id = "c2", prompt = [new Message { role = "user", content = "Reach 7" }], task = "countdown", nums = [7], target = null },
            new Row { id = "c3", prompt = [new Message { role = "user", content = "Reach 9 with 4 5" }], task = "countdown", nums = [4, 5], target = 9 },
        }, path);
        var skips = new SkippedRecords(_log.Logger, 10);

        var prompts = await ParquetPromptReader.ReadAsync(path, new PromptRecordMapper(DatasetFiles.Fields), skips, CancellationToken.None);

        Assert.Equal(["c1", "c3"], prompts.Select(p => p.Id));
        var chat = Assert.IsType<ChatPrompt>(prompts[0].Content);
        Assert.Equal(new ChatMessage("user", "Reach 24 with 3 8 1"), chat.Messages.Single());
        Assert.Equal([3L, 8L, 1L], prompts[0].Task.Fields["numbers"].EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(24, prompts[0].Task.Fields["target"].GetInt64());
        Assert.Equal(1, skips.Count);
        var skipped = Assert.Single(_log.With("SkipReason"));
        Assert.Equal("\"row 2\"", skipped.Properties["RecordLocation"].ToString());
        Assert.Contains("'target'", skipped.Properties["SkipReason"].ToString());
    }

    public void Dispose() => _files.Dispose();
}
