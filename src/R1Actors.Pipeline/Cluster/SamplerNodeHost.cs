using Akka.Actor;
using Akka.Configuration;
using R1Actors.Pipeline.Graph;

namespace R1Actors.Pipeline.Cluster;

/// <summary>
/// A sampler node's life: join the cluster, serve the learner until it goes away, then join again after
/// <see cref="ClusterSettings.RejoinAfter"/> — for as long as the process runs. Each membership is a fresh actor system
/// (a node the split-brain resolver downed cannot come back under the same one); the model folder fetched stays on
/// disk, so a rejoin fetches only the weights. Ends when the stop token is cancelled (the node leaves the
/// cluster gracefully; the learner issues its prompts again at once) or when the learner refuses the node.
/// </summary>
public static class SamplerNodeHost
{
    public static async Task<SamplerNodeExit> RunAsync(ClusterSettings cluster, SamplerNodeEnvironment env, Config extra, CancellationToken stop)
    {
        var log = env.Log;
        while (true)
        {
            var config = ClusterConfig.For(cluster, ClusterSettings.SamplerRole).WithFallback(extra);
            var system = PipelineDispatchers.CreateSystem(ClusterSettings.SystemName, config);
            var exit = new TaskCompletionSource<SamplerNodeExit>(TaskCreationOptions.RunContinuationsAsynchronously);
            var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
            var member = env.NodeName.Length > 0 ? env : env with { NodeName = $"{self.Host}:{self.Port}" };   // unnamed: named by the address it bound
            log.Information("Sampler node {NodeName} joining {SeedNodes} from {ClusterAddress}", member.NodeName,
                string.Join(", ", cluster.SeedAddresses(isLearner: false)), self.ToString());
            system.ActorOf(SamplerNodeAgent.Props(member, exit), "r1-sampler-node");
            SamplerNodeExit ended;
            await using (stop.Register(() => exit.TrySetResult(new SamplerNodeExit(Refused: false, "stop requested") { StopRequested = true })).ConfigureAwait(false))
            {
                var first = await Task.WhenAny(exit.Task, system.WhenTerminated).ConfigureAwait(false);
                ended = first == exit.Task ? exit.Task.Result : new SamplerNodeExit(Refused: false, "this node was downed (cut off from the learner node)");
            }
            if (ended.StopRequested)
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);   // the learner issues its prompts again at once
            else
                await system.Terminate().ConfigureAwait(false);   // no learner to leave: waiting out the cluster's leave phases would only delay the rejoin
            await system.WhenTerminated.ConfigureAwait(false);
            if (stop.IsCancellationRequested || ended.Refused)
                return ended;
            if (ended.LearnerStopped)
                log.Information("Sampler node {NodeName} left the cluster ({Reason}); joining again in {RejoinAfter}", member.NodeName, ended.Reason, cluster.RejoinAfter);
            else
                log.ForContext(Core.EventKinds.Property, Core.EventKinds.LearnerLost)
                    .Warning("Sampler node {NodeName} left the cluster ({Reason}); joining again in {RejoinAfter}", member.NodeName, ended.Reason, cluster.RejoinAfter);
            try
            {
                await Task.Delay(cluster.RejoinAfter, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new SamplerNodeExit(Refused: false, "stop requested");
            }
        }
    }
}
