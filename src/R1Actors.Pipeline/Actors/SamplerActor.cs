using Akka.Actor;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;
using Serilog;

namespace R1Actors.Pipeline.Actors;

/// <summary>What every sampler shares with the rest of the pipeline.</summary>
public sealed record SamplerEnvironment(
    ISamplerPortFactory Ports,
    PolicyVersionBoard Board,
    StageCounters Counters,
    int GroupSize,
    ulong RunSeed,
    ILogger Log)
{
    /// <summary>When a continuously batching sampler may take a new version (<see cref="ContinuousSamplerActor"/>).</summary>
    public WeightSwitch Switch { get; init; }
}

/// <summary>
/// One device's sampler. Runs on a pinned thread: the port (a model replica) is created, used and disposed on
/// that thread only, and every call is synchronous. Weights are applied only between batches: when a version is
/// published, and again at the start of each batch from the <see cref="PolicyVersionBoard"/>. A port that throws
/// fails this actor; on restart a fresh port loads the newest weights and the failed batch is sampled again.
/// </summary>
public sealed class SamplerActor : ReceiveActor
{
    private readonly string _device;
    private readonly SamplerEnvironment _env;
    private readonly BusyClock _clock;
    private readonly ILogger _log;
    private readonly ISamplerPort _port;

    public SamplerActor(string device, SamplerEnvironment env, BusyClock clock)
    {
        _device = device;
        _env = env;
        _clock = clock;
        _log = env.Log.ForContext("Device", device);
        _port = env.Ports.Create(device);
        try
        {
            ApplyNewestWeights();
        }
        catch
        {
            _port.Dispose();
            throw;
        }
        Receive<GenerateRollouts>(Generate);
        Receive<WeightsPublished>(_ => ApplyNewestWeights());
    }

    public static Props Props(string device, SamplerEnvironment env, BusyClock clock, string dispatcher) =>
        Akka.Actor.Props.Create(() => new SamplerActor(device, env, clock)).WithDispatcher(dispatcher);

    private void Generate(GenerateRollouts request)
    {
        var replyTo = Sender;
        var sampling = false;
        long version;
        IReadOnlyList<Rollout> rollouts;
        try
        {
            ApplyNewestWeights();
            version = _port.PolicyVersion;
            var batch = new SampleBatch(request.Prompts, _env.GroupSize, _env.RunSeed, version);
            _env.Counters.SamplingStarted(request.Prompts.Count);
            sampling = true;
            _clock.Start();
            rollouts = _port.Generate(batch);
            CheckShape(request, rollouts, version);
        }
        catch (Exception e)
        {
            if (sampling)
                _env.Counters.SamplingAbandoned(request.Prompts.Count);
            throw new SamplerFaultException(_device, [(request, replyTo)], e);
        }
        finally
        {
            _clock.Stop();
        }
        _env.Counters.Sampled(request.Prompts.Count, rollouts.Count);
        replyTo.Tell(new RolloutsGenerated(_device, version, rollouts));
    }

    private void CheckShape(GenerateRollouts request, IReadOnlyList<Rollout> rollouts, long version)
    {
        var expected = request.Prompts.Count * _env.GroupSize;
        if (rollouts.Count != expected)
            throw new InvalidOperationException($"the port returned {rollouts.Count} rollouts for {request.Prompts.Count} prompts × {_env.GroupSize}");
        for (var i = 0; i < rollouts.Count; i++)
        {
            var rollout = rollouts[i];
            if (rollout.Prompt.Ordinal != request.Prompts[i / _env.GroupSize].Ordinal || rollout.PolicyVersion != version)
                throw new InvalidOperationException(
                    $"rollout {i} is for prompt {rollout.Prompt.Ordinal} at v{rollout.PolicyVersion}; expected prompt {request.Prompts[i / _env.GroupSize].Ordinal} at v{version}, grouped by prompt in batch order");
        }
    }

    private void ApplyNewestWeights()
    {
        var latest = _env.Board.Latest;
        if (latest == _port.PolicyVersion)
            return;
        _port.ApplyWeights(latest);
        _log.Debug("Sampler {Device} applied weights v{PolicyVersion}", _device, latest);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (reason is SamplerFaultException fault)
            fault.Resend(Self, _log);
        base.PreRestart(reason, message);
    }

    protected override void PostStop() => _port.Dispose();
}
