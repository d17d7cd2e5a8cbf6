using System.Text.Json;

namespace R1Actors.Pipeline.Wire;

/// <summary>The v1 encodings of the shared types, field by field in declaration order (see <see cref="WireSerializer"/>).</summary>
internal static class WirePrompts
{
    public static void Write(BinaryWriter w, IssuedPrompt p)
    {
        w.Write(p.Ordinal);
        w.Write(p.Cursor.Epoch);
        w.Write(p.Cursor.Position);
        w.Write(p.Prompt.Id);
        switch (p.Prompt.Content)
        {
            case TextPrompt text:
                w.Write((byte)0);
                w.Write(text.Text);
                break;
            case ChatPrompt chat:
                w.Write((byte)1);
                WireFormat.WriteList(w, chat.Messages, (w2, m) => { w2.Write(m.Role); w2.Write(m.Content); });
                break;
            default:
                throw new System.Runtime.Serialization.SerializationException($"no wire schema for prompt content {p.Prompt.Content.GetType().Name}");
        }
        w.Write(p.Prompt.Task.Kind);
        WireFormat.WriteList(w, p.Prompt.Task.Fields.ToList(), (w2, f) => { w2.Write(f.Key); w2.Write(f.Value.GetRawText()); });
    }

    public static IssuedPrompt Read(BinaryReader r)
    {
        var ordinal = r.ReadInt64();
        var cursor = new PromptCursor(r.ReadInt64(), r.ReadInt64());
        var id = r.ReadString();
        PromptContent content = r.ReadByte() switch
        {
            0 => new TextPrompt(r.ReadString()),
            1 => new ChatPrompt(WireFormat.ReadList(r, r2 => new ChatMessage(r2.ReadString(), r2.ReadString()))),
            var tag => throw new FormatException($"prompt content tag {tag} is not 0 (text) or 1 (chat)"),
        };
        var kind = r.ReadString();
        var fields = WireFormat.ReadList(r, r2 => (Name: r2.ReadString(), Json: r2.ReadString()))
            .ToDictionary(f => f.Name, f => JsonDocument.Parse(f.Json).RootElement.Clone(), StringComparer.Ordinal);
        return new IssuedPrompt(ordinal, cursor, new Prompt(id, content, new TaskSpec(kind, fields)));
    }
}

/// <summary>Rollouts and scored groups, v1.</summary>
internal static class WireRollouts
{
    /// <summary>v2: v1's fields, then each token's weights version (a flag, then the list when the rollout records them).</summary>
    public static void Write(BinaryWriter w, Rollout r)
    {
        WriteV1(w, r);
        w.Write(r.TokenVersions is not null);
        if (r.TokenVersions is { } versions)
            WireFormat.WriteList(w, versions, (w2, v) => w2.Write(v));
    }

    public static Rollout ReadRollout(BinaryReader r)
    {
        var rollout = ReadRolloutV1(r);
        return r.ReadBoolean() ? rollout with { TokenVersions = WireFormat.ReadList(r, r2 => r2.ReadInt64()) } : rollout;
    }

    public static void WriteV1(BinaryWriter w, Rollout r)
    {
        WirePrompts.Write(w, r.Prompt);
        w.Write(r.SampleIndex);
        WireFormat.WriteList(w, r.PromptTokenIds, (w2, t) => w2.Write(t));
        WireFormat.WriteList(w, r.CompletionTokenIds, (w2, t) => w2.Write(t));
        w.Write(r.CompletionText);
        WireFormat.WriteList(w, r.BehaviourLogProbs, (w2, p) => w2.Write(p));
        w.Write(r.PolicyVersion);
        w.Write((byte)r.FinishReason);
        w.Write(r.Device);
    }

    public static Rollout ReadRolloutV1(BinaryReader r)
    {
        var prompt = WirePrompts.Read(r);
        var sample = r.ReadInt32();
        var promptIds = WireFormat.ReadList(r, r2 => r2.ReadInt32());
        var completionIds = WireFormat.ReadList(r, r2 => r2.ReadInt32());
        var text = r.ReadString();
        var logProbs = WireFormat.ReadList(r, r2 => r2.ReadSingle());
        var version = r.ReadInt64();
        var finish = r.ReadByte() is var f && Enum.IsDefined((FinishReason)f) ? (FinishReason)f : throw new FormatException($"finish reason {f} is unknown");
        return new Rollout(prompt, sample, promptIds, completionIds, text, logProbs, version, finish, r.ReadString());
    }

    public static void Write(BinaryWriter w, ScoredGroup g)
    {
        WirePrompts.Write(w, g.Prompt);
        WireFormat.WriteList(w, g.Completions, (w2, c) =>
        {
            Write(w2, c.Rollout);
            w2.Write(c.Reward.Score);
            WireFormat.WriteList(w2, c.Reward.Components.ToList(), (w3, p) => { w3.Write(p.Key); w3.Write(p.Value); });
            w2.Write(c.Reward.Reason is not null);
            if (c.Reward.Reason is not null) w2.Write(c.Reward.Reason);
            w2.Write(c.VerifyLatency.Ticks);
        });
    }

    public static ScoredGroup ReadGroup(BinaryReader r, Func<BinaryReader, Rollout> readRollout)
    {
        var prompt = WirePrompts.Read(r);
        var completions = WireFormat.ReadList(r, r2 =>
        {
            var rollout = readRollout(r2);
            var score = r2.ReadDouble();
            var components = WireFormat.ReadList(r2, r3 => (Name: r3.ReadString(), Value: r3.ReadDouble())).ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
            var reason = r2.ReadBoolean() ? r2.ReadString() : null;
            return new ScoredRollout(rollout, new RewardOutcome(score, components, reason), TimeSpan.FromTicks(r2.ReadInt64()));
        });
        return new ScoredGroup(prompt, completions);
    }
}

/// <summary>Counted lists: an int32 count, then the items.</summary>
internal static class WireFormat
{
    /// <summary>The largest list a message may hold (a corrupt count must not allocate gigabytes).</summary>
    private const int MaxItems = 1 << 24;

    public static void WriteList<T>(BinaryWriter w, IReadOnlyList<T> items, Action<BinaryWriter, T> write)
    {
        w.Write(items.Count);
        foreach (var item in items) write(w, item);
    }

    public static List<T> ReadList<T>(BinaryReader r, Func<BinaryReader, T> read)
    {
        var count = r.ReadInt32();
        if (count is < 0 or > MaxItems) throw new FormatException($"a list of {count} items is out of range");
        var items = new List<T>(Math.Min(count, 4096));
        for (var i = 0; i < count; i++) items.Add(read(r));
        return items;
    }
}
