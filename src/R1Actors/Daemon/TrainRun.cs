using Akka.Configuration;
using R1Actors.Adapters;
using R1Actors.Cli;
using R1Actors.Evaluation;
using R1Actors.Hosting;
using R1Actors.Logging;
using R1Actors.Pipeline.Cluster;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Data;
using R1Actors.Pipeline.Graph;
using R1Actors.Policy;
using R1Actors.Policy.Model;
using R1Actors.Policy.Settings;
using R1Actors.Rewards;
using R1Actors.Training.Configuration;
using R1Actors.Training.Learning;
using Serilog;

namespace R1Actors.Daemon;

/// <summary>
/// One <c>r1actors train</c> run: opens the learner (resuming from the newest complete checkpoint in the run
/// folder), measures the starting policy on the held-out split, runs the actor pipeline until its step or time
/// budget (<c>r1.run.max-duration</c>, counted from the start of training, after the before-training evaluation) or a stop request — after which the pipeline
/// finishes the step in progress and writes a checkpoint — then measures the final policy. Before/after figures
/// are printed and logged as Evaluation events; the run's last event is RunStopped, whichever way it ended (after a
/// failure, the host's own Fatal line follows it).
/// </summary>
public sealed class TrainRun(RunContext context, TimeProvider time)
{
    private static ILogger Log => Serilog.Log.ForContext<TrainRun>();   // the logger in force now: compare runs several in one process

    public async Task<int> RunAsync(CancellationToken stopRequested)
    {
        var s = context.Settings;
        Log.ForContext(EventKinds.Property, EventKinds.RunStarted)
            .Information("Run {RunName} starting in {RunDirectory}; allocator: {Allocator}; torch: {TorchRuntime}",
                s.Run.Name, context.RunDirectory, MallocTuning.Configure(s.Torch.MallocMmapThreshold), TorchRuntime.Configure(s.Torch.EffectiveThreads, s.Pipeline.Deterministic));
        // Whatever draws from torch's default generator starts from the run seed; a resume restores its saved state.
        TorchSharp.torch.random.manual_seed(s.Run.Seed);
        using var stopNotice = stopRequested.Register(() =>
            Log.Information("Stop requested: the step in progress finishes, then a last checkpoint is written"));
        try
        {
            var (outcome, reason) = await TrainAsync(stopRequested).ConfigureAwait(false);
            Log.ForContext(EventKinds.Property, EventKinds.RunStopped)
                .Information("Run stopped ({StopReason}) at step {Step}, policy version {PolicyVersion}: {RolloutsTrained} rollouts trained, {DroppedRolloutsTotal} dropped as stale",
                    reason, outcome.Progress.Step, outcome.Progress.PolicyVersion, outcome.RolloutsTrained, outcome.DroppedRolloutsTotal);
        }
        catch (OperationCanceledException) when (stopRequested.IsCancellationRequested)
        {
            Log.ForContext(EventKinds.Property, EventKinds.RunStopped)
                .Information("Run stopped ({StopReason}) before training began; nothing was trained, the run folder is as it was", StopReason.Stopped);
        }
        catch (Exception e)
        {
            var failure = CommandFailure.Of(e);
            if (failure.Cause is SettingsException { Origin.Length: 0, Key.Length: > 0 } unplaced)
            {
                var placed = unplaced.At(context.Source.OriginOf(unplaced.Key));
                LogFailure(CommandFailure.Of(placed));
                throw placed;
            }
            LogFailure(failure);
            throw;
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// The RunStopped event of a failed run. A fault may pass with a restart, which resumes from the newest complete
    /// checkpoint; a configuration or data mistake will not, and the command prints it as one line on stderr, so here
    /// it is a warning without a stack trace.
    /// </summary>
    private static void LogFailure(CommandFailure failure)
    {
        var stopped = Log.ForContext(EventKinds.Property, EventKinds.RunStopped);
        if (failure.ExitCode == ExitCodes.Usage)
            stopped.Warning("Run stopped ({StopReason}): {Reason}", "Misconfigured", failure.Message);
        else
            stopped.Error(failure.Cause, "Run stopped ({StopReason}): {Reason}; a restart resumes from the newest complete checkpoint", "Failed", failure.Cause.Message);
    }

    /// <summary>Everything between start-up and the end of the run; the time budget counts from the start of the pipeline on.</summary>
    private async Task<(PipelineOutcome Outcome, string Reason)> TrainAsync(CancellationToken stopRequested)
    {
        var s = context.Settings;
        var training = await PromptSources.LoadAsync(s.Data, DataSplit.Training, Log, stopRequested).ConfigureAwait(false);
        var heldOutSet = await HeldOutPrompts(stopRequested).ConfigureAwait(false);
        var heldOut = heldOutSet.Prompts;
        var model = s.Model with { Path = BaseModelFolder() };
        await using var rewards = RewardDispatcher.Create(s.Rewards, time);
        if (TaskKindCheck.Run(rewards, context.Source, training.KindsPresent, heldOutSet.KindsPresent) is { } isolation)
            Log.Information("Code sandbox ready: isolation {SandboxIsolation} ({SandboxDetails}), at most {SandboxConcurrency} programs at once, {SandboxPool} pool",
                isolation, rewards.SandboxDescription, s.Rewards.Code.MaxConcurrency, s.Rewards.Code.WarmPool ? "warm" : "cold");
        var stages = await new TrainingStages(context, time).RunAsync(model, rewards, training, stopRequested).ConfigureAwait(false);
        if (stages.Finished is { } supervised)
            return (supervised, supervised.Reason.ToString());
        model = model with { Path = stages.PipelineBase };
        using var session = LearnerSession.Open(s.Training, model.Path, context.RunDirectory, s.Sampling.Options.Temperature, Log, time);
        var resumed = LearnerPort.ResumedProgress(session);
        if (resumed is not null)
        {
            Log.ForContext(EventKinds.Property, EventKinds.RunResumed)
                .Information("Resuming from checkpoint {CheckpointPath} at step {Step}, policy version {PolicyVersion}, next prompt {@NextPrompt}",
                    session.ResumedFrom?.Path, resumed.Step, resumed.PolicyVersion, resumed.NextPrompt);
        }
        var evaluator = new HeldOutEvaluation(s, model, rewards, session.Learner.Weights, heldOut);

        EvaluationResult? before = null;
        if (s.Eval.BeforeTraining && resumed is null && heldOut.Count > 0)
            before = await evaluator.RunAsync("before training", session.Learner.Step, stopRequested).ConfigureAwait(false);

        using var timeBudget = s.Run.MaxDuration > TimeSpan.Zero ? new CancellationTokenSource(s.Run.MaxDuration, time) : new CancellationTokenSource();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, timeBudget.Token);
        PipelineOutcome outcome;
        var lastEvaluatedAfter = s.Eval.AfterTraining ? s.Pipeline.MaxSteps : 0;   // that step's weights are measured after training anyway
        await using (var periodic = new PeriodicEvaluation(evaluator, heldOut.Count > 0 ? s.Eval.EverySteps : 0, lastEvaluatedAfter, stopRequested))
            outcome = await RunPipelineAsync(session, model, rewards, training, resumed, periodic, budget.Token).ConfigureAwait(false);
        var reason = outcome.Reason == StopReason.Stopped && !stopRequested.IsCancellationRequested ? "MaxDuration" : outcome.Reason.ToString();

        if (s.Eval.AfterTraining && heldOut.Count > 0 && !stopRequested.IsCancellationRequested)
            await EvaluateAfterAsync(evaluator, session.Learner.Step, before, stopRequested).ConfigureAwait(false);
        return (outcome, reason);
    }

    /// <summary>The final policy's held-out figures; a stop request cancels them (the checkpoint is already written).</summary>
    private static async Task EvaluateAfterAsync(HeldOutEvaluation evaluator, long step, EvaluationResult? before, CancellationToken stopRequested)
    {
        try
        {
            var after = await evaluator.RunAsync("after training", step, stopRequested).ConfigureAwait(false);
            if (before is not null)
                HeldOutEvaluation.Compare(before, after);
        }
        catch (OperationCanceledException) when (stopRequested.IsCancellationRequested)
        {
            Log.Information("Held-out evaluation after training cancelled by the stop request");
        }
    }

    private async Task<PipelineOutcome> RunPipelineAsync(LearnerSession session, ModelSettings model, RewardDispatcher rewards,
        IPromptDataset training, PipelineProgress? resumed, PeriodicEvaluation periodic, CancellationToken budget)
    {
        var s = context.Settings;
        var akka = ConfigurationFactory.ParseString(AkkaSerilogLogger.AkkaConfig);
        if (s.Pipeline.Cluster is { } clusterSettings)
            akka = ClusterConfig.For(clusterSettings, ClusterSettings.LearnerRole).WithFallback(akka);
        using var system = PipelineDispatchers.CreateSystem(ClusterSettings.SystemName, akka);
        var events = new StepEvents(Log, context.StatusLine, s.Run.RolloutLogEvery, s.Pipeline.MaxSteps, s.Run.MaxDuration, time, rewards);
        var run = new PipelineRun
        {
            System = system,
            Settings = s.Pipeline,
            Prompts = new PromptStream(training, s.Data.Shuffle, s.Data.Seed, s.Data.MaxEpochs),
            Ports = new PipelinePorts(
                new SamplerPortFactory(model, s.Tokenizer, s.Sampling, session.Learner.Weights, s.Training.Lora),
                rewards,
                new LearnerPort(session)) { Groups = TrainingStrategies.GroupFilter(s.Training.Algorithm) },
            Resume = resumed,
            ResumeSource = session.ResumedFrom is { } checkpoint ? Path.Combine(checkpoint.Path, Training.Checkpoints.TrainerState.FileName) : "the checkpoint",
            Log = Log,
            Time = time,
            Cluster = s.Pipeline.Cluster is { } cluster
                ? new ClusterLearner(new ClusterWeightsSource(model.Path, session.Learner.Weights), ClusterCompatibility.Of(context.Source),
                    Path.Combine(context.RunDirectory, "cluster-weights"), cluster.TransferChunkBytes)
                : null,
            OnStep = report =>
            {
                events.Write(report);
                periodic.OnStep(report.Pipeline.Step);
            },
        };
        try
        {
            return await TrainingPipeline.RunAsync(run, budget).ConfigureAwait(false);
        }
        finally
        {
            context.StatusLine?.Clear();
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private async Task<HeldOutSet> HeldOutPrompts(CancellationToken cancellationToken)
    {
        var s = context.Settings;
        if (!s.Eval.BeforeTraining && !s.Eval.AfterTraining && s.Eval.EverySteps == 0)
            return HeldOutSet.None;
        return await HeldOutSet.LoadAsync(s, Log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A run folder's tiny base model (and so its checkpoints) was made by r1.model.tiny as it was then: it must still say so.</summary>
    private void CheckTinyShape(string folder)
    {
        var made = Policy.Checkpoints.ModelFolder.ReadConfig(folder);
        var configured = TinyModels.Config(context.Settings.Model.Tiny, made.VocabSize, made.EosTokenIds.FirstOrDefault(), made.PadTokenId ?? 0);
        if (configured.ShapeDifference(made) is { } difference)
        {
            throw new SettingsException("r1.model.tiny", context.Source.OriginOf("r1.model.tiny"),
                $"the run folder's base model {Path.Combine(folder, "config.json")} was made with other sizes ({difference}, configured vs made); set r1.model.tiny back, or start a new run with another --run-dir");
        }
    }

    /// <summary>The configured model folder, or (r1.model.path empty) a freshly initialised tiny model saved in the run folder.</summary>
    private string BaseModelFolder()
    {
        var s = context.Settings;
        if (s.Model.Path.Length > 0)
            return s.Model.Path;
        var folder = Path.Combine(context.RunDirectory, "base-model");
        if (File.Exists(Path.Combine(folder, "config.json")))
            CheckTinyShape(folder);
        else
        {
            using var replica = PolicyReplica.Load(s.Model, s.Tokenizer, "cpu");
            Directory.CreateDirectory(folder);
            Policy.Checkpoints.ModelFolder.Save(replica.Model, folder);
            replica.SaveTokenizer(folder, null);
            Log.Information("No r1.model.path: a randomly initialised tiny model (seed {InitSeed}) was written to {ModelFolder}", s.Model.Tiny.InitSeed, folder);
        }
        return folder;
    }
}
