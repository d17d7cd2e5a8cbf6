using Akka.Configuration;
using Akka.Streams;

namespace R1Actors.Pipeline.Cluster;

/// <summary>
/// The Akka configuration of a cluster node, from <see cref="ClusterSettings"/>: the cluster provider over TCP, a
/// split-brain resolver instead of auto-downing, frames large enough for a batch of long rollouts, and the stream-ref
/// serializers (model and weights files travel as stream refs).
/// </summary>
/// <remarks>
/// The resolver keeps the side that holds the learner (keep-oldest, scoped to the <c>learner</c> role, never downing
/// the learner for being alone): a sampler node cut off from the learner downs itself, and the learner downs it, after
/// <see cref="ClusterSettings.DownAfter"/>; a learner whose every sampler node is gone keeps running and waits for nodes.
/// </remarks>
public static class ClusterConfig
{
    /// <summary>The largest message between nodes: a batch of long completions (ids, log-probs and versions per token).</summary>
    public const int MaxFrameBytes = 64 * 1024 * 1024;

    public static Config For(ClusterSettings s, string role)
    {
        var seeds = string.Join(", ", s.SeedAddresses(role == ClusterSettings.LearnerRole).Select(a => $"\"{a}\""));
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{s.Hostname}}"
                port = {{s.Port}}
                maximum-frame-size = {{MaxFrameBytes}}b
                send-buffer-size = {{2 * MaxFrameBytes}}b
                receive-buffer-size = {{2 * MaxFrameBytes}}b
              }
              cluster {
                roles = ["{{role}}"]
                seed-nodes = [{{seeds}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-oldest
                  stable-after = {{(long)s.DownAfter.TotalMilliseconds}}ms
                  keep-oldest {
                    down-if-alone = off
                    role = "{{ClusterSettings.LearnerRole}}"
                  }
                }
                failure-detector.acceptable-heartbeat-pause = {{(long)s.HeartbeatPause.TotalMilliseconds}}ms
                run-coordinated-shutdown-when-down = on
                retry-unsuccessful-join-after = 2s
                log-info = off
              }
              coordinated-shutdown {
                exit-clr = off
                terminate-actor-system = on
                run-by-clr-shutdown-hook = off
              }
            }
            """).WithFallback(ActorMaterializer.DefaultConfig());
    }
}
