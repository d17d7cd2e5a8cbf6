using System.Diagnostics;
using System.Text;
using R1Actors.Policy.Model;
using R1Actors.Policy.Tokenization;
using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// Continuous batching: up to N rows in flight over a preallocated <see cref="SlotKvCache"/> of N slots × L
/// tokens. Choices:
/// <list type="bullet">
/// <item>A row is one sample; samples of a waiting group take free slots one by one, at the first step after a
/// slot frees, so a slot never waits for G of them. The rows joining at one step share one prefill: each distinct
/// prompt is read once and fanned out to its rows' slots. A sample joining after its siblings does not read the prompt
/// again: it copies the prompt's keys and values from a sibling's slot (a row of the group in flight, its prompt read
/// under the current weights; it writes only after the prompt) and the prompt's next-token logits the group keeps
/// until its last sample has joined.</item>
/// <item>A row attends only to its own slot, masked at its own length, and its positions start at 0 there: its
/// completion is what it would be alone (same seed, same tokens, same log-probs to float rounding), whoever
/// shares the batch and whenever it joins.</item>
/// <item>A step computes the slots up to the last one in use (views of the preallocated tensors: the cache is
/// never gathered, compacted or reallocated); free slots among them are computed on stale values and never
/// read. On the CPU in float32 every row's attention reads exactly its own positions (<see cref="DecodeAttention"/>).
/// Elsewhere attention runs per segment of chunks of slots, each reading as far as its longest row, and rows are
/// kept ranked by position across the chunks (<see cref="SlotLayout"/>): a row that moves up a chunk is copied
/// once, instead of every young row reading an old row's length at every step. The ranking runs in both cases:
/// it keeps the oldest rows in the first slots, so that the rows left at the end of a run sit in few slots and
/// a step computes only those.</item>
/// <item>The host looks at the draws every <see cref="SamplingOptions.FinishCheckInterval"/> steps (one copy
/// of 3 × N floats per look) to apply stops, release finished groups and admit rows: the only synchronisation.</item>
/// <item>A group leaves as soon as its last sample finishes. A prompt gets the room its slot leaves after it
/// (<see cref="ContextBudget"/>); one with no room for a new token is refused (<see cref="Enqueue"/> says why),
/// never truncated.</item>
/// <item>Weights may change between two <see cref="Step"/> calls; every token records <see cref="WeightsVersion"/>
/// at the step that drew it.</item>
/// </list>
/// Not thread-safe: one caller thread, as the sampler actor is.
/// </summary>
public sealed class ContinuousBatcher : IDisposable
{
    private readonly CausalLanguageModel model;
    private readonly SamplingOptions options;
    private readonly Func<int, byte[]>? tokenBytes;
    private readonly byte[][] stopStrings;
    private readonly ITokenChooser chooser;
    private readonly SlotKvCache cache;
    private readonly SlotRows rows;
    private readonly Queue<(GroupProgress Group, int Sample)> waiting = new();
    private readonly SlotRow?[] occupants;
    private readonly SortedSet<int> free;
    private readonly SlotLayout layout;
    private bool rearrange;
    private readonly List<long> unsettledVersions = [];
    private long steps, activeRowSteps, joinedRows, prefillTokens, promptsCopied, refused, rowsMoved, positionsRead, positionsNeeded, positionsUnsegmented;
    private readonly Stopwatch joinClock = new(), sampleClock = new(), settleClock = new(), decodeClock = new();
    private int groupOrdinal;

    /// <param name="segmentCallCost">What one more attention call costs, in row-positions read: adjacent chunks merge into one call unless
    /// splitting saves more (<see cref="SlotLayout"/>). About 512 on a CPU; far more on a GPU, where a launch costs what reading
    /// thousands of positions does.</param>
    public ContinuousBatcher(CausalLanguageModel model, SamplingOptions options, int slots, int slotTokens, ITokenizer? tokenizer = null,
        long segmentCallCost = SlotLayout.DefaultCallCost)
    {
        options.Validated();
        if (options.StopStrings.Count > 0 && tokenizer is null)
            throw new ArgumentException("stop strings need the batcher to be given the tokenizer");
        if (slotTokens <= options.MaxNewTokens)
            throw new ArgumentException($"slots of {slotTokens} tokens leave no room for a prompt before {options.MaxNewTokens} new tokens");
        this.model = model;
        this.options = options;
        tokenBytes = tokenizer is null ? null : tokenizer.TokenBytes;
        stopStrings = [.. options.StopStrings.Select(Encoding.UTF8.GetBytes)];
        chooser = TokenChoosers.For(options);
        cache = SlotKvCache.Allocate(model.Config, slots, slotTokens, model.Dtype, model.Device, options.DecodeAttention);
        rows = new SlotRows(model, cache, options.MaxNewTokens);
        occupants = new SlotRow?[slots];
        free = [.. Enumerable.Range(0, slots)];
        layout = new SlotLayout(slots, segmentCallCost);
    }

    public int Slots => cache.Slots;

    public long CacheBytes => cache.Bytes;

    /// <summary>The weights version tokens drawn from now on record; the caller sets it after changing the model's weights.</summary>
    public long WeightsVersion { get; set; }

    public int RowsInFlight => Slots - free.Count;

    public int WaitingRows => waiting.Count;

    /// <summary>No row in flight and none waiting.</summary>
    public bool Idle => waiting.Count == 0 && free.Count == Slots;

    /// <summary>True while the waiting rows do not fill the free slots: time to enqueue another group.</summary>
    public bool WantsMore => waiting.Count < free.Count;

    public BatcherStats Stats => new(Slots, steps, activeRowSteps, joinedRows, prefillTokens, refused,
        joinClock.Elapsed, sampleClock.Elapsed, settleClock.Elapsed, decodeClock.Elapsed)
    {
        PromptsCopied = promptsCopied,
        RowsMoved = rowsMoved,
        AttentionPositionsRead = positionsRead,
        AttentionPositionsNeeded = positionsNeeded,
        AttentionPositionsUnsegmented = positionsUnsegmented,
    };

    /// <summary>
    /// Queues a group; null when queued, otherwise why it was refused (counted, never sampled). A prompt gets what
    /// room its slot leaves (<see cref="ContextBudget"/>): its samples end as <c>length</c> there.
    /// </summary>
    public string? Enqueue(SampleGroup group)
    {
        var (room, problem) = ContextBudget.Room(group.Prompt, cache.SlotTokens, options.MaxNewTokens, model.Config.VocabSize);
        problem ??= (group.Seeds.Count == 0 ? "a group needs at least one sample" : null)
            ?? (group.TokenLimits is { } limits && (limits.Count != group.Seeds.Count || limits.Any(l => l < 1 || l > options.MaxNewTokens))
                ? $"token limits: one per sample, each in 1..{options.MaxNewTokens} (max-new-tokens)"
                : null);
        if (problem is not null)
        {
            refused++;
            return problem;
        }
        var progress = new GroupProgress(group, [.. group.Seeds.Select((_, g) =>
            new RowProgress(groupOrdinal, g, options, tokenBytes, Math.Min(room, group.TokenLimits?[g] ?? room)))]);
        groupOrdinal++;
        for (var g = 0; g < group.Seeds.Count; g++)
            waiting.Enqueue((progress, g));
        return null;
    }

    /// <summary>Admits waiting rows to free slots, draws one token for every row, settles when due and feeds the rows on; returns the groups that finished.</summary>
    public IReadOnlyList<FinishedGroup> Step()
    {
        using var inference = inference_mode();
        using var threads = ForwardThreads.ForDecodeStep(model.Config, Slots);
        Time(joinClock, Join);
        if (RowsInFlight == 0)
            return [];
        Time(sampleClock, () => rows.Sample(chooser, SlotsInUse()));
        unsettledVersions.Add(WeightsVersion);
        steps++;
        activeRowSteps += RowsInFlight;
        var finished = new List<FinishedGroup>();
        if (unsettledVersions.Count >= options.FinishCheckInterval)
            Time(settleClock, () =>
            {
                Settle(finished);
                Arrange();
            });
        if (RowsInFlight > 0)
            Time(decodeClock, Decode);
        return finished;
    }

    /// <summary>Steps until every queued group has finished; returns them in the order they finished.</summary>
    public IReadOnlyList<FinishedGroup> Drain()
    {
        var finished = new List<FinishedGroup>();
        while (!Idle)
            finished.AddRange(Step());
        return finished;
    }

    private void Join()
    {
        var count = Math.Min(free.Count, waiting.Count);
        if (count == 0 || unsettledVersions.Count > 0)
            return;
        var joining = Enumerable.Range(0, count).Select(_ => waiting.Dequeue()).ToArray();
        var slots = free.Take(count).ToArray();
        // A group whose prompt a sibling in flight holds as these weights read it: copy it from that slot instead of reading it again.
        var siblings = new Dictionary<GroupProgress, int>();
        for (var slot = 0; slot < occupants.Length; slot++)
            if (occupants[slot] is { Group: var owner } sibling && sibling.PromptVersion == WeightsVersion
                && owner.PromptLogits is not null && owner.PromptVersion == WeightsVersion)
                siblings.TryAdd(owner, slot);
        for (var j = 0; j < count; j++)
        {
            var (group, sample) = joining[j];
            free.Remove(slots[j]);
            occupants[slots[j]] = new SlotRow(group, sample, group.Rows[sample], group.Group.Prompt.Count, WeightsVersion);
            group.Admitted++;
        }
        var copied = Enumerable.Range(0, count).Where(j => siblings.ContainsKey(joining[j].Group)).ToArray();
        var read = Enumerable.Range(0, count).Except(copied).ToArray();
        if (copied.Length > 0)
        {
            rows.JoinCopied([.. copied.Select(j => (long)siblings[joining[j].Group])], [.. copied.Select(j => (long)slots[j])],
                [.. copied.Select(j => (long)joining[j].Group.Group.Prompt.Count)], [.. copied.Select(j => joining[j].Group.PromptLogits!)],
                Uniforms(joining, copied));
            promptsCopied += copied.Length;
        }
        if (read.Length > 0)
        {
            var groups = read.Select(j => joining[j].Group).Distinct().ToList();
            var kept = rows.Join([.. groups.Select(g => g.Group.Prompt)], [.. read.Select(j => (long)groups.IndexOf(joining[j].Group))],
                [.. read.Select(j => (long)slots[j])], Uniforms(joining, read), [.. groups.Select(g => g.Admitted < g.Rows.Length)]);
            for (var u = 0; u < groups.Count; u++)
                if (kept[u] is { } logits)
                    groups[u].KeepPrompt(logits, WeightsVersion);
            prefillTokens += groups.Sum(g => g.Group.Prompt.Count);
        }
        foreach (var group in joining.Select(j => j.Group).Distinct().Where(g => g.Admitted == g.Rows.Length))
            group.ForgetPrompt();
        joinedRows += count;
        rearrange = true;
    }

    /// <summary>The uniforms of the joining rows <paramref name="which"/>, each from its own sample's seed, row-major.</summary>
    private float[] Uniforms((GroupProgress Group, int Sample)[] joining, int[] which)
    {
        var n = options.MaxNewTokens;
        var uniforms = new float[which.Length * n];
        for (var i = 0; i < which.Length; i++)
            SampleSeed.FillUniforms(joining[which[i]].Group.Group.Seeds[joining[which[i]].Sample], uniforms.AsSpan(i * n, n));
        return uniforms;
    }

    /// <summary>Feeds the unsettled draws to the rows in step order; frees the slots of rows that finished and collects finished groups.</summary>
    private void Settle(List<FinishedGroup> finished)
    {
        var (draws, count) = rows.TakeDraws();
        var n = Slots;
        var released = new List<long>();
        for (var slot = 0; slot < n; slot++)
        {
            if (occupants[slot] is not { } row)
                continue;
            for (var s = 0; s < count && !row.Progress.Finished; s++)
            {
                row.Versions.Add(unsettledVersions[s]);
                row.Progress.Accept((int)draws[s * n + slot], draws[(count + s) * n + slot], draws[(2 * count + s) * n + slot], stopStrings);
            }
            if (!row.Progress.Finished)
                continue;
            occupants[slot] = null;
            free.Add(slot);
            released.Add(slot);
            if (row.Group.Finish(row.Sample, row.Versions) is { } group)
                finished.Add(group);
        }
        unsettledVersions.Clear();
        if (released.Count > 0)
            rows.Release(released);
        rearrange |= released.Count > 0;
    }

    /// <summary>After rows joined or left: moves rows so that ranks by position match chunks again (see <see cref="SlotLayout"/>).</summary>
    private void Arrange()
    {
        if (!rearrange)
            return;
        rearrange = false;
        var (from, to) = layout.Moves(Positions());
        if (from.Length == 0)
            return;
        rows.Move(from, to, from.Max(slot => occupants[slot]!.Position));
        var moved = from.Select(slot => occupants[slot]).ToArray();
        foreach (var slot in from)
        {
            occupants[slot] = null;
            free.Add((int)slot);
        }
        for (var m = 0; m < to.Length; m++)
        {
            occupants[to[m]] = moved[m];
            free.Remove((int)to[m]);
        }
        rows.Release([.. from.Except(to)]);
        rowsMoved += from.Length;
    }

    private int[] Positions() => [.. occupants.Select(row => row?.Position ?? -1)];

    /// <summary>N': one past the last slot a row holds. Ranked rows fill the first chunks, so the free slots after it cost nothing.</summary>
    private int SlotsInUse() => Array.FindLastIndex(occupants, row => row is not null) + 1;

    /// <summary>One decode step over the slots in use, attention per segment of slots.</summary>
    private void Decode()
    {
        var positions = Positions();
        var inUse = SlotsInUse();
        var segments = layout.Segments(positions.AsSpan(0, inUse));
        rows.Decode(segments, positions.AsSpan(0, inUse));
        long needed = 0;
        foreach (var row in occupants)
        {
            if (row is null)
                continue;
            needed += row.Position + 1;
            row.Position = Math.Min(row.Position + 1, cache.SlotTokens - 1);
        }
        positionsNeeded += needed;
        positionsRead += cache.ReadsExactly ? needed : segments.Sum(segment => segment.Count * segment.Width);   // exact reads: what the rows need
        positionsUnsegmented += inUse * segments.Max(segment => segment.Width);
    }

    private static void Time(Stopwatch clock, Action action)
    {
        clock.Start();
        try
        {
            action();
        }
        finally
        {
            clock.Stop();
        }
    }

    public void Dispose()
    {
        foreach (var (group, _) in waiting)
            group.ForgetPrompt();
        rows.Dispose();
        cache.Dispose();
    }

    /// <summary>
    /// A row in a slot: its group, its host-side progress, the version of each accepted token, where its next fed token
    /// goes, and the weights version its prompt's keys and values were made with.
    /// </summary>
    private sealed class SlotRow(GroupProgress group, int sample, RowProgress progress, int position, long promptVersion)
    {
        public long PromptVersion { get; } = promptVersion;
        public GroupProgress Group { get; } = group;
        public int Sample { get; } = sample;
        public RowProgress Progress { get; } = progress;
        public List<long> Versions { get; } = [];
        public int Position { get; set; } = position;
    }

    /// <summary>
    /// A queued or running group: its rows, how many have joined and how many are still unfinished, and while some of
    /// its samples wait behind joined ones, the next-token logits its prompt gave under weights <see cref="PromptVersion"/>.
    /// </summary>
    private sealed class GroupProgress(SampleGroup group, RowProgress[] rows)
    {
        private readonly IReadOnlyList<long>[] versions = new IReadOnlyList<long>[rows.Length];
        private int remaining = rows.Length;

        public SampleGroup Group { get; } = group;
        public RowProgress[] Rows { get; } = rows;
        public int Admitted { get; set; }
        public Tensor? PromptLogits { get; private set; }
        public long PromptVersion { get; private set; }

        public void KeepPrompt(Tensor logits, long version)
        {
            ForgetPrompt();
            (PromptLogits, PromptVersion) = (logits, version);
        }

        public void ForgetPrompt()
        {
            PromptLogits?.Dispose();
            PromptLogits = null;
        }

        /// <summary>Records a finished sample; the whole group once its last sample is in.</summary>
        public FinishedGroup? Finish(int sample, IReadOnlyList<long> tokenVersions)
        {
            versions[sample] = tokenVersions;
            return --remaining > 0 ? null : new FinishedGroup(Group.Key, [.. Rows.Select(r => r.ToSequence())], versions);
        }
    }
}
