using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Data;

public sealed class JsonlPromptReaderTests : IDisposable
{
    private readonly DatasetFiles _files = new();
    private readonly CapturedLog _log = new();

    [Fact]
    public void Text_and_chat_prompts_map_with_their_task_fields()
    {
        var path = _files.Write("train.jsonl",
            """{"id": "q1", "prompt": "What is 2+2?", "answer": "4"}""",
            """{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Reach 24"}], "task": "countdown", "nums": [3, 8, 1], "target": 24}""");

        var prompts = JsonlPromptReader.Read(path, new PromptRecordMapper(DatasetFiles.Fields), new SkippedRecords(_log.Logger, 10));

        Assert.Equal(2, prompts.Count);
        Assert.Equal("q1", prompts[0].Id);
        Assert.Equal(new TextPrompt("What is 2+2?"), prompts[0].Content);
        Assert.Equal("math", prompts[0].Task.Kind);
        Assert.Equal("4", prompts[0].Task.Fields["reference"].GetString());
        Assert.Equal("train.jsonl:2", prompts[1].Id);
        var chat = Assert.IsType<ChatPrompt>(prompts[1].Content);
        Assert.Equal(["system", "user"], chat.Messages.Select(m => m.Role));
        Assert.Equal("countdown", prompts[1].Task.Kind);
        Assert.Equal([3, 8, 1], prompts[1].Task.Fields["numbers"].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(24, prompts[1].Task.Fields["target"].GetInt32());
    }

    [Fact]
    public void Knights_and_knaves_records_need_names_and_roles_and_are_scored_by_their_verifier()
    {
        var path = _files.Write("puzzles.jsonl",
            """{"prompt": "Alice says: Bob is a knave. Bob says: we are both knights.", "task": "knights-knaves", "names": ["Alice", "Bob"], "roles": ["knight", "knave"]}""",
            """{"prompt": "No roles", "task": "knights-knaves", "names": ["Alice"]}""");
        var fields = DatasetFiles.Fields with { TaskFields = new Dictionary<string, string> { ["names"] = "names", ["roles"] = "roles" } };
        var skips = new SkippedRecords(_log.Logger, 10);

        var prompts = JsonlPromptReader.Read(path, new PromptRecordMapper(fields), skips);

        var task = Assert.Single(prompts).Task;
        Assert.Equal(TaskKinds.KnightsKnaves, task.Kind);
        Assert.Equal(1, R1Actors.Rewards.Logic.KnightsKnavesReward.Score(task, "<answer>Alice is a knight, Bob is a knave</answer>").Score);
        Assert.Equal(0, R1Actors.Rewards.Logic.KnightsKnavesReward.Score(task, "<answer>Alice is a knave, Bob is a knight</answer>").Score);
        Assert.Equal(1, skips.Count);
        Assert.Contains("'roles'", Assert.Single(_log.With("SkipReason")).Properties["SkipReason"].ToString());
    }

    [Fact]
    public void A_record_of_a_kind_r1actors_does_not_know_keeps_every_field_for_its_reward()
    {
        var path = _files.Write("custom.jsonl",
            """{"id": "v1", "prompt": "What is 2+2?", "task": "gsm8k-custom", "data_source": "openai/gsm8k", "reward_model": {"ground_truth": "4"}, "extra_info": {"index": 0}, "answer": "4"}""");

        var prompt = Assert.Single(JsonlPromptReader.Read(path, new PromptRecordMapper(DatasetFiles.Fields), new SkippedRecords(_log.Logger, 10)));

        Assert.Equal("gsm8k-custom", prompt.Task.Kind);
        Assert.Equal(["answer", "data_source", "extra_info", "reference", "reward_model"], prompt.Task.Fields.Keys.Order());
        Assert.Equal("4", prompt.Task.Fields["reward_model"].GetProperty("ground_truth").GetString());
        Assert.Equal("4", prompt.Task.Fields["reference"].GetString());   // mapped fields are kept under their task names
    }

    [Fact]
    public void A_record_with_an_unpaired_surrogate_is_skipped_and_counted()
    {
        var path = _files.Write("surrogate.jsonl",
            """{"prompt": "What is \ud800?", "answer": "1"}""",
            """{"prompt": "What is 1?", "answer": "1"}""");
        var skips = new SkippedRecords(_log.Logger, 10);

        var prompts = JsonlPromptReader.Read(path, new PromptRecordMapper(DatasetFiles.Fields), skips);

        Assert.Equal("What is 1?", ((TextPrompt)Assert.Single(prompts).Content).Text);
        Assert.Equal(1, skips.Count);
        Assert.Contains("not valid Unicode", Assert.Single(_log.With("SkipReason")).Properties["SkipReason"].ToString());
    }

    [Fact]
    public void Malformed_lines_are_skipped_counted_and_logged_with_file_and_line()
    {
        var path = _files.Write("mixed.jsonl",
            """{"prompt": "ok 1", "answer": "1"}""",
            """{"prompt": "broken", "answer": """,
            "",
            """{"answer": "3"}""",
            """{"prompt": "no reference"}""",
            """{"prompt": "Reach 10", "task": "countdown", "nums": [5, 5]}""",
            """[1, 2]""",
            """{"prompt": "ok 2", "answer": "2"}""");
        var skips = new SkippedRecords(_log.Logger, 10);

        var prompts = JsonlPromptReader.Read(path, new PromptRecordMapper(DatasetFiles.Fields), skips);

        Assert.Equal(["ok 1", "ok 2"], prompts.Select(p => ((TextPrompt)p.Content).Text));
        Assert.Equal(5, skips.Count);
        var logged = _log.With("SkipReason").ToDictionary(e => e.Properties["RecordLocation"].ToString().Trim('"'), e => e.Properties["SkipReason"].ToString());
        Assert.Equal(["line 2", "line 4", "line 5", "line 6", "line 7"], logged.Keys.Order());
        Assert.All(_log.With("SkipReason"), e => Assert.Equal($"\"{path}\"", e.Properties["DatasetFile"].ToString()));
        Assert.Contains("not valid JSON", logged["line 2"]);
        Assert.Contains("no prompt", logged["line 4"]);
        Assert.Contains("'reference'", logged["line 5"]);
        Assert.Contains("'target'", logged["line 6"]);
        Assert.Contains("expected a JSON object", logged["line 7"]);
        Assert.Contains(_log.Events, e => e.Properties.TryGetValue("SkippedRecords", out var n) && n.ToString() == "5");
    }

    [Fact]
    public void Past_the_cap_skips_are_counted_but_not_listed_one_by_one()
    {
        var path = _files.Write("bad.jsonl", Enumerable.Range(0, 30).Select(_ => "not json").Append("""{"prompt": "p", "answer": "1"}""").ToArray());
        var skips = new SkippedRecords(_log.Logger, 3);

        var prompts = JsonlPromptReader.Read(path, new PromptRecordMapper(DatasetFiles.Fields), skips);

        Assert.Single(prompts);
        Assert.Equal(30, skips.Count);
        Assert.Equal(3, _log.With("SkipReason").Count());
        Assert.Contains(_log.Events, e => e.Properties.TryGetValue("UnlistedSkips", out var n) && n.ToString() == "27");
    }

    public void Dispose() => _files.Dispose();
}
