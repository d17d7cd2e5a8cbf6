using Akka.Actor;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Metrics;
using R1Actors.Pipeline.Settings;
using Serilog;

namespace R1Actors.Pipeline.Actors;

/// <summary>
/// One device's sampler with continuous batching. Runs on a pinned thread like <see cref="SamplerActor"/>, but
/// instead of one blocking call per batch it runs one decode step per message to itself, so requests that arrive
/// meanwhile join the rows in flight at the next step. A prompt goes to the port only while the port has free
/// slots that its waiting rows do not fill; until then it is held here, and sampled with the weights of the
/// moment it goes in. Each request is answered as soon as its prompts' groups have
/// finished. Weights: with <see cref="WeightSwitch.BetweenSteps"/> a published version is applied at the next
/// step, rows in flight kept; with <see cref="WeightSwitch.BetweenBatches"/> new prompts wait while the rows in
/// flight finish on the old version, then the new one is applied. A port that throws fails this actor; on restart
/// every request in hand is sampled again.
/// </summary>
public sealed class ContinuousSamplerActor : ReceiveActor
{
    private readonly string _device;
    private readonly SamplerEnvironment _env;
    private readonly BusyClock _clock;
    private readonly ILogger _log;
    private readonly IContinuousSamplerPort _port;
    private readonly List<Unanswered> _unanswered = [];
    private readonly Dictionary<long, Unanswered> _byOrdinal = [];
    private readonly Queue<IssuedPrompt> _held = new();
    private bool _stepScheduled;

    public ContinuousSamplerActor(string device, SamplerEnvironment env, BusyClock clock)
    {
        _device = device;
        _env = env;
        _clock = clock;
        _log = env.Log.ForContext("Device", device);
        var port = env.Ports.Create(device);
        if (port is not IContinuousSamplerPort continuous)
        {
            port.Dispose();
            throw new InvalidOperationException($"continuous batching needs a continuous sampler port; the port for '{device}' ({port.GetType().Name}) samples static batches only");
        }
        _port = continuous;
        try
        {
            ApplyWeights(_env.Board.Latest);
        }
        catch
        {
            _port.Dispose();
            throw;
        }
        Receive<GenerateRollouts>(Accept);
        Receive<NextStep>(_ => Step());
        Receive<WeightsPublished>(_ => ScheduleStep());
    }

    public static Props Props(string device, SamplerEnvironment env, BusyClock clock, string dispatcher) =>
        Akka.Actor.Props.Create(() => new ContinuousSamplerActor(device, env, clock)).WithDispatcher(dispatcher);

    private void Accept(GenerateRollouts request)
    {
        var unanswered = new Unanswered(request, Sender);
        _unanswered.Add(unanswered);
        foreach (var prompt in request.Prompts)
        {
            _byOrdinal[prompt.Ordinal] = unanswered;
            _held.Enqueue(prompt);
        }
        _env.Counters.SamplingStarted(request.Prompts.Count);
        ScheduleStep();
    }

    private void ScheduleStep()
    {
        if (_stepScheduled)
            return;
        _stepScheduled = true;
        Self.Tell(NextStep.Instance);
    }

    private void Step()
    {
        _stepScheduled = false;
        try
        {
            SwitchWeightsWhenAllowed();
            while (_held.Count > 0 && _port.WantsMore && !WaitingForSwitch)
                _port.Enqueue(_held.Dequeue(), _env.GroupSize, _env.RunSeed);
            if (_port.HasWork)
            {
                _clock.Start();
                try
                {
                    foreach (var group in _port.Step())
                        Deliver(group);
                }
                finally
                {
                    _clock.Stop();
                }
            }
        }
        catch (Exception e)
        {
            _env.Counters.SamplingAbandoned(_unanswered.Sum(u => u.Request.Prompts.Count));
            throw new SamplerFaultException(_device, [.. _unanswered.Select(u => (u.Request, u.ReplyTo))], e);
        }
        // Rows still to decode, or held prompts that can go in now: the rows of the last step may all have finished while a
        // prompt was held (a newer version waiting between batches, or no free slot), and no message would wake this actor.
        if (_port.HasWork || (_held.Count > 0 && (_port.WantsMore || WaitingForSwitch)))
            ScheduleStep();
    }

    /// <summary>Between batches: a newer version is waiting, so no new row may start on the old one.</summary>
    private bool WaitingForSwitch => _env.Switch == WeightSwitch.BetweenBatches && _env.Board.Latest != _port.PolicyVersion;

    private void SwitchWeightsWhenAllowed()
    {
        var latest = _env.Board.Latest;
        if (latest != _port.PolicyVersion && (_env.Switch == WeightSwitch.BetweenSteps || !_port.HasWork))
            ApplyWeights(latest);
    }

    private void ApplyWeights(long version)
    {
        var inFlight = _port.RowsInFlight;
        _port.ApplyWeights(version);
        _log.Debug("Sampler {Device} applied weights v{PolicyVersion} with {RowsInFlight} rows in flight", _device, version, inFlight);
    }

    private void Deliver(IReadOnlyList<Rollout> group)
    {
        if (group.Count != _env.GroupSize)
            throw new InvalidOperationException($"the port returned a group of {group.Count} rollouts; expected {_env.GroupSize}");
        var ordinal = group[0].Prompt.Ordinal;
        if (!_byOrdinal.Remove(ordinal, out var unanswered))
            throw new InvalidOperationException($"the port returned a group for prompt {ordinal}, which this sampler does not hold");
        unanswered.Groups[ordinal] = group;
        if (unanswered.Groups.Count < unanswered.Request.Prompts.Count)
            return;
        _unanswered.Remove(unanswered);
        var rollouts = unanswered.Request.Prompts.SelectMany(p => unanswered.Groups[p.Ordinal]).ToArray();
        _env.Counters.Sampled(unanswered.Request.Prompts.Count, rollouts.Length);
        unanswered.ReplyTo.Tell(new RolloutsGenerated(_device, rollouts.Min(r => r.PolicyVersion), rollouts));
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (reason is SamplerFaultException fault)
            fault.Resend(Self, _log);
        base.PreRestart(reason, message);
    }

    protected override void PostStop() => _port.Dispose();

    /// <summary>A request and the groups of its prompts finished so far.</summary>
    private sealed class Unanswered(GenerateRollouts request, IActorRef replyTo)
    {
        public GenerateRollouts Request { get; } = request;
        public IActorRef ReplyTo { get; } = replyTo;
        public Dictionary<long, IReadOnlyList<Rollout>> Groups { get; } = [];
    }

    /// <summary>Runs the next decode step.</summary>
    private sealed class NextStep
    {
        public static readonly NextStep Instance = new();
    }
}
