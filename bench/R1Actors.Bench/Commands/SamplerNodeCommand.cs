using System.CommandLine;
using Akka.Configuration;
using R1Actors.Bench.Benchmarks;
using R1Actors.Cli;
using R1Actors.Logging;
using R1Actors.Pipeline.Cluster;
using R1Actors.Simulation;
using Serilog;

namespace R1Actors.Bench.Commands;

/// <summary>
/// <c>r1actors-bench sampler-node</c> (hidden): one simulated sampler node, what <c>r1actors sampler</c> is with the
/// simulated devices of the pipeline bench in place of a model. It joins the learner at <c>--seed-node</c>, fetches the
/// model folder and each weights version as a real node does, and samples on <c>--devices</c> devices that sleep
/// <c>--prompt-ms</c> per prompt (so a machine's cores do not limit how many nodes it can hold). <c>pipeline-nodes</c>
/// starts it; it stops when its standard input closes (the bench holds it open) or on SIGTERM/SIGINT. Logs go to stderr.
/// </summary>
public static class SamplerNodeCommand
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var seed = new Option<string>("--seed-node") { Description = "host:port of the learner node to join", Required = true };
        var name = new Option<string>("--name") { Description = "This node's name in the learner's logs", DefaultValueFactory = _ => "node" };
        var devices = new Option<int>("--devices") { Description = "Simulated devices on this node", DefaultValueFactory = _ => 2 };
        var promptMs = new Option<double>("--prompt-ms") { Description = "Milliseconds a device sleeps per prompt of a batch", DefaultValueFactory = _ => 24 };
        var cache = new Option<string>("--cache") { Description = "Where the fetched model folder and weights go", Required = true };
        var command = new Command("sampler-node", "One simulated sampler node (started by pipeline-nodes); stops when its standard input closes") { Hidden = true };
        foreach (var option in (Option[])[seed, name, devices, promptMs, cache])
            command.Add(option);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var deviceCount = parse.GetValue(devices);
            if (deviceCount < 1)
                throw new UsageException($"--devices: expected at least 1, got {deviceCount}");
            var cost = parse.GetValue(promptMs);
            if (cost < 0)
                throw new UsageException($"--prompt-ms: expected 0 or more, got {cost}");
            Log.Logger = new LoggerConfiguration().MinimumLevel.Information().Enrich.WithProperty("NodeName", parse.GetValue(name)!)
                .WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
            var cluster = SamplerNodesBenchmark.Cluster(0, [parse.GetValue(seed)!], parse.GetValue(name)!, parse.GetValue(cache)!);
            // A node reads only its devices and their queue from the pipeline's settings; the run's G and seed come from the learner.
            var pipeline = PipelineBenchmark.Settings(BenchScenario.SamplerNodes(steps: 0, deviceCount));
            var ports = new SimulatedNodePorts(new SimulatedDeviceCosts(TimeSpan.Zero, TimeSpan.FromMilliseconds(cost), TimeSpan.Zero));
            var env = new SamplerNodeEnvironment(cluster.NodeName, pipeline, ports, cluster.CacheDirectory, Log.Logger);
            using var stop = new StopSignals();
            _ = Task.Run(async () =>
            {
                await Console.OpenStandardInput().CopyToAsync(Stream.Null).ConfigureAwait(false);   // returns at end of input: the bench is done, or gone
                stop.Cancel();
                // Leaving takes a moment with the learner there; without it (the bench was killed) the leave waits out its phases.
                await Task.Delay(LeaveTimeout).ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"sampler node {cluster.NodeName} had not left the cluster {LeaveTimeout.TotalSeconds:F0} s after its input closed; exiting").ConfigureAwait(false);
                Environment.Exit(ExitCodes.Failure);
            });
            var exit = SamplerNodeHost.RunAsync(cluster, env, ConfigurationFactory.ParseString(AkkaSerilogLogger.AkkaConfig), stop.Token).GetAwaiter().GetResult();
            Log.Information("Sampler node {NodeName} stopped ({Reason})", cluster.NodeName, exit.Reason);
            return exit.Refused ? ExitCodes.Failure : ExitCodes.Success;
        }));
        return command;
    }
}
