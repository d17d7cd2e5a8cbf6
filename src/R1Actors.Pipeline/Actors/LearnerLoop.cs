using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;
using Serilog;

namespace R1Actors.Pipeline.Actors;

/// <summary>
/// The learner's state and rules, kept outside the actor so that they survive its restarts: the staleness gate,
/// the pending batch, step and version, the resume point, the in-flight budget and the per-step report.
/// Every call comes from the learner actor's thread.
/// </summary>
public sealed class LearnerLoop
{
    private readonly PipelineSettings _settings;
    private readonly ILearnerPort _port;
    private readonly IGroupFilter _filter;
    private readonly PromptStream _prompts;
    private readonly ProgressTracker _progress;
    private readonly InFlightBudget _budget;
    private readonly PolicyVersionBoard _board;
    private readonly MetricsCollector _metrics;
    private readonly ILogger _log;
    private readonly Action<StepReport>? _onStep;
    private readonly List<ScoredGroup> _pending = [];
    private readonly Dictionary<long, long> _staleness = [];
    private readonly List<IssuedPrompt> _dropped = [];
    private long _droppedThisStep;
    private int _discardedThisStep;
    private long _lastCheckpointStep;
    private bool _lastAttemptFaulted;
    private bool _stopped;

    public LearnerLoop(
        PipelineSettings settings, PipelinePorts ports, PromptStream prompts, PipelineProgress start,
        InFlightBudget budget, PolicyVersionBoard board, MetricsCollector metrics, ILogger log, Action<StepReport>? onStep)
    {
        _settings = settings;
        _port = ports.Learner;
        _filter = ports.Groups;
        _prompts = prompts;
        _budget = budget;
        _board = board;
        _metrics = metrics;
        _log = log;
        _onStep = onStep;
        Step = start.Step;
        PolicyVersion = start.PolicyVersion;
        _lastCheckpointStep = start.Step;
        _progress = new ProgressTracker(prompts.OrdinalOf(start.NextPrompt), start.ConsumedAhead.Select(prompts.OrdinalOf));
        _discardedThisStep = start.DiscardedInStep;
    }

    public long Step { get; private set; }

    public long PolicyVersion { get; private set; }

    public long RolloutsTrained { get; private set; }

    public long DroppedRolloutsTotal { get; private set; }

    public bool ReachedMaxSteps => _settings.MaxSteps > 0 && Step >= _settings.MaxSteps;

    public bool StepDue => _pending.Count >= _settings.GroupsPerStep;

    public PipelineProgress Progress => new(
        Step,
        PolicyVersion,
        _prompts.CursorOf(_progress.Next),
        _progress.Ahead.Select(_prompts.CursorOf).ToArray(),
        _prompts.Count,
        _prompts.DataSeed,
        _settings.Seed,
        _discardedThisStep);

    /// <summary>Takes a group into the pending batch, or drops it (counted, its slot freed) when it is too stale.</summary>
    public void Accept(ScoredGroup group)
    {
        _metrics.Counters.GroupReceived();
        var staleness = PolicyVersion - group.OldestPolicyVersion;
        if (staleness > _settings.MaxStaleness || staleness < 0)
        {
            Drop(group, staleness);
            return;
        }
        if (_filter.Keep(group, _discardedThisStep))
        {
            _pending.Add(group);
            return;
        }
        _discardedThisStep++;
        _progress.MarkDone(group.Prompt.Ordinal);
        _budget.Release(1);
    }

    private void Drop(ScoredGroup group, long staleness)
    {
        _droppedThisStep += group.Completions.Count;
        _dropped.Add(group.Prompt);
        DroppedRolloutsTotal += group.Completions.Count;
        _progress.MarkDone(group.Prompt.Ordinal);
        _budget.Release(1);
        _log.Warning("Dropped the {RolloutCount} rollouts of prompt {PromptId}: sampled with v{RolloutVersion}, learner at v{PolicyVersion}, staleness {Staleness} outside [0, {MaxStaleness}]",
            group.Completions.Count, group.Prompt.Prompt.Id, group.OldestPolicyVersion, PolicyVersion, staleness, _settings.MaxStaleness);
    }

    /// <summary>
    /// Runs the optimizer step on the pending batch. Throws when the port throws; the batch then stays pending
    /// and nothing here has changed, so the step can be taken again.
    /// </summary>
    public StepOutcome Train()
    {
        _lastAttemptFaulted = true;
        var outcome = _port.Step(new LearnerBatch(Step, PolicyVersion, [.. _pending.OrderBy(g => g.Prompt.Ordinal)], _discardedThisStep));
        _lastAttemptFaulted = false;
        return outcome;
    }

    /// <summary>Records a successful step: prompts done, version published, slots freed, figures reported.</summary>
    /// <param name="publish">Tells every sampler about the new version.</param>
    /// <exception cref="InvalidOperationException">The outcome breaks the port's contract (a bug, never retried).</exception>
    public StepReport Commit(StepOutcome outcome, Action<long> publish)
    {
        if (outcome.PolicyVersion < PolicyVersion || (outcome.PolicyVersion == PolicyVersion && outcome.SkipReason is null))
        {
            _lastAttemptFaulted = true;
            throw new InvalidOperationException($"the learner returned weights v{outcome.PolicyVersion} after v{PolicyVersion} without saying it skipped the update");
        }
        var groups = _pending.ToArray();
        var trained = 0L;
        var tokenStaleness = TokenStaleness(groups);
        foreach (var group in groups)
        {
            var staleness = PolicyVersion - group.OldestPolicyVersion;
            _staleness[staleness] = _staleness.GetValueOrDefault(staleness) + group.Completions.Count;
            trained += group.Completions.Count;
            _progress.MarkDone(group.Prompt.Ordinal);
        }
        _pending.Clear();
        Step++;
        RolloutsTrained += trained;
        if (outcome.PolicyVersion > PolicyVersion)
        {
            PolicyVersion = outcome.PolicyVersion;
            _board.Publish(PolicyVersion);
            publish(PolicyVersion);
        }
        else
        {
            _log.Warning("Learner step {Step} made no update ({SkipReason}); the weights stay at v{PolicyVersion}", Step, outcome.SkipReason, PolicyVersion);
        }
        _budget.Release(groups.Length);
        var metrics = _metrics.Collect(new StepFacts(
            Step, PolicyVersion, trained, new Dictionary<long, long>(_staleness), _droppedThisStep, DroppedRolloutsTotal, _discardedThisStep)
        {
            TokenStaleness = tokenStaleness,
        });
        _staleness.Clear();
        _droppedThisStep = 0;
        _discardedThisStep = 0;
        PipelineMetricsLog.Write(_log, metrics);
        var report = new StepReport(outcome, metrics, groups, [.. _dropped]);
        _dropped.Clear();
        Notify(report);
        if (_settings.CheckpointEvery > 0 && Step % _settings.CheckpointEvery == 0)
            Checkpoint();
        return report;
    }

    /// <summary>Asks the learner to write a checkpoint now. A failed write is logged and training goes on.</summary>
    public void Checkpoint()
    {
        var progress = Progress;
        try
        {
            _port.Checkpoint(progress);
            _lastCheckpointStep = Step;
            _log.Information("Checkpoint requested at step {Step} (v{PolicyVersion}); next prompt {@NextPrompt}, {ConsumedAhead} consumed ahead",
                Step, PolicyVersion, progress.NextPrompt, progress.ConsumedAhead.Count);
        }
        catch (Exception e)
        {
            _log.Error(e, "Checkpoint at step {Step} failed; training goes on and the next checkpoint tries again", Step);
        }
    }

    /// <summary>
    /// The run is ending (called once or more; only the first counts): the partial batch stays untrained (it is
    /// sampled again on resume) and a last checkpoint is asked for, unless the learner's last attempt failed,
    /// in which case the last good checkpoint stands.
    /// </summary>
    public void Stop()
    {
        if (_stopped)
            return;
        _stopped = true;
        if (_pending.Count > 0)
        {
            _log.Information("Stopping with {PendingGroups} groups short of a full step; a resumed run samples those prompts again", _pending.Count);
            _budget.Release(_pending.Count);
            _pending.Clear();
        }
        if (!_settings.CheckpointOnStop || Step == _lastCheckpointStep)
            return;
        if (_lastAttemptFaulted)
            _log.Warning("No checkpoint on stop after a learner fault; the last good checkpoint is step {CheckpointStep}", _lastCheckpointStep);
        else
            Checkpoint();
    }

    private void Notify(StepReport report)
    {
        try
        {
            _onStep?.Invoke(report);
        }
        catch (Exception e)
        {
            _log.Error(e, "A step observer threw at step {Step}; the pipeline goes on", Step);
        }
    }

    /// <summary>Largest and mean (learner version − version that drew it) over every completion token of these groups.</summary>
    private (long Max, double Mean) TokenStaleness(IReadOnlyList<ScoredGroup> groups)
    {
        long max = 0, sum = 0, count = 0;
        foreach (var version in groups.SelectMany(g => g.Completions).SelectMany(c => c.Rollout.VersionPerToken))
        {
            var staleness = PolicyVersion - version;
            max = Math.Max(max, staleness);
            sum += staleness;
            count++;
        }
        return (max, count == 0 ? 0 : sum / (double)count);
    }
}
