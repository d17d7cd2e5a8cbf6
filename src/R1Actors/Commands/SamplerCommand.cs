using System.CommandLine;
using Akka.Configuration;
using R1Actors.Adapters;
using R1Actors.Cli;
using R1Actors.Daemon;
using R1Actors.Hosting;
using R1Actors.Logging;
using R1Actors.Pipeline.Cluster;
using R1Actors.Policy;
using Serilog;

namespace R1Actors.Commands;

/// <summary>
/// <c>r1actors sampler</c>: a sampler node. Joins the learner node named by <c>r1.cluster.seed-nodes</c>, fetches its
/// model folder and weights, samples on the devices of <c>r1.pipeline.devices</c> for as long as it runs, and joins
/// again whenever the learner goes away (docs/cluster.md).
/// </summary>
public static class SamplerCommand
{
    public static Command Create()
    {
        var command = new Command("sampler", "Run a sampler node of a cluster run: joins the learner node (r1.cluster.seed-nodes), fetches its model and weights, samples on r1.pipeline.devices; rejoins when the learner restarts, stops cleanly on SIGTERM/SIGINT");
        var (config, set) = CommonOptions.AddConfiguration(command);
        var runDir = CommonOptions.RunDir("Node folder: logs and the fetched model (default: runs/<r1.run.name>-sampler-<port>)");
        command.Add(runDir);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var sets = parse.GetValue(set) ?? [];
            var (settings, _) = Configuration.R1Settings.Load(parse.GetValue(config), sets);
            var cluster = settings.Pipeline.Cluster ?? throw new SettingsException("r1.cluster.enabled", "a sampler node is a cluster node: set r1.cluster.enabled = true and r1.cluster.seed-nodes to the learner's host:port");
            if (cluster.SeedNodes.Count == 0)
                throw new SettingsException("r1.cluster.seed-nodes", "a sampler node must name the learner node to join, e.g. seed-nodes = [\"10.0.0.5:4053\"]");
            if (settings.Pipeline.Devices.Count == 0)
                throw new SettingsException("r1.pipeline.devices", "a sampler node needs at least one device to sample on, such as \"cpu\" or \"cuda:0\"");
            using var context = RunContext.Open(parse.GetValue(config), sets,
                parse.GetValue(runDir) ?? Path.Combine("runs", $"{settings.Run.Name}-sampler-{cluster.Port}"));
            return DaemonHost.Run(stop => RunAsync(context, cluster, stop), context.Settings.Run.ShutdownTimeout);
        }));
        return command;
    }

    private static async Task<int> RunAsync(RunContext context, ClusterSettings cluster, CancellationToken stop)
    {
        var s = context.Settings;
        var log = Log.ForContext(typeof(SamplerCommand));
        log.Information("Sampler node starting in {RunDirectory}; allocator: {Allocator}; torch: {TorchRuntime}",
            context.RunDirectory, MallocTuning.Configure(s.Torch.MallocMmapThreshold), TorchRuntime.Configure(s.Torch.EffectiveThreads, deterministic: false));
        using var ports = new SamplerNodePorts(s.Model, s.Tokenizer, s.Sampling, s.Training.Lora, ClusterCompatibility.Of(context.Source));
        var name = cluster.NodeName;   // empty: each membership is named by the host:port it bound
        var cache = cluster.CacheDirectory.Length > 0 ? cluster.CacheDirectory : Path.Combine(context.RunDirectory, "node-cache");
        var env = new SamplerNodeEnvironment(name, s.Pipeline, ports, cache, log);
        var exit = await SamplerNodeHost.RunAsync(cluster, env, ConfigurationFactory.ParseString(AkkaSerilogLogger.AkkaConfig), stop).ConfigureAwait(false);
        if (exit.Refused)
            throw new SettingsException("r1.cluster", $"the learner node refused this sampler node: {exit.Reason}");
        log.Information("Sampler node {NodeName} stopped ({Reason})", name.Length > 0 ? name : $"{cluster.Hostname}:{cluster.Port}", exit.Reason);
        return ExitCodes.Success;
    }
}
