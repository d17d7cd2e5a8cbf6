using Akka.Actor;
using Akka.Configuration;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// The actor-system configuration the pipeline needs: a pinned dispatcher, one dedicated thread per actor, for
/// the samplers and the learner (torch state and dispose scopes belong to one thread; their calls block) and
/// for the verifiers (CPU-bound checks must not starve the stream); and the wire format of the messages that
/// may cross nodes (<see cref="Wire.WireSerializer"/>; unused while everything runs in one process). Not a user
/// setting: the executable merges <see cref="Config"/> into the config it creates its actor system with.
/// </summary>
public static class PipelineDispatchers
{
    public const string Pinned = "r1-pipeline-pinned-dispatcher";

    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        {{Pinned}} {
          type = PinnedDispatcher
          throughput = 1
        }
        """).WithFallback(ConfigurationFactory.ParseString(Wire.WireSerializer.AkkaConfig));

    /// <summary>An actor system whose config is <paramref name="config"/> with the pipeline's dispatchers added.</summary>
    public static ActorSystem CreateSystem(string name, Config? config = null) =>
        ActorSystem.Create(name, config is null ? Config : config.WithFallback(Config));
}
