using R1Actors.Configuration;

namespace R1Actors.Tests.Configuration;

public sealed class PipelineSettingsBinderTests
{
    [Fact]
    public void The_reference_pipeline_and_data_settings_bind_with_their_documented_defaults()
    {
        var (settings, _) = R1Settings.Load(null, []);

        Assert.Equal(["cpu"], settings.Pipeline.Devices);
        Assert.Equal(8, settings.Pipeline.GroupSize);
        Assert.Equal(1, settings.Pipeline.MaxStaleness);
        Assert.Equal(32, settings.Pipeline.InFlightPrompts);
        Assert.Equal(TimeSpan.FromMilliseconds(20), settings.Pipeline.BatchLinger);
        Assert.Equal((ulong)settings.Run.Seed, settings.Pipeline.Seed);
        Assert.Equal(100, settings.Pipeline.CheckpointEvery);
        Assert.Equal("arithmetic", settings.Data.Source);
        Assert.Equal("answer", settings.Data.Fields.TaskFields["reference"]);
        Assert.Equal("entry_point", settings.Data.Fields.TaskFields["entry_point"]);
        Assert.False(settings.Data.Fields.TaskFields.ContainsKey("program_prefix"));
        Assert.Empty(settings.Data.HeldOutFiles);
        Assert.Equal(["add", "subtract", "multiply"], settings.Data.Arithmetic.Operations.Select(o => o.Name));
    }

    [Theory]
    [InlineData("r1.pipeline.devices=[\"cuda:0\", \"cuda:0\"]", "r1.pipeline.devices", "each device may be listed once")]
    [InlineData("r1.pipeline.max-staleness=-1", "r1.pipeline.max-staleness", "from 0 to 1000, got -1")]
    [InlineData("r1.pipeline.verify-timeout=0", "r1.pipeline.verify-timeout", "above 0")]
    [InlineData("r1.data.source=dataset", "r1.data.source", "expected one of \"arithmetic\", \"countdown\", \"files\"")]
    [InlineData("r1.data.source=files", "r1.data.files", "at least one .jsonl or .parquet file")]
    [InlineData("r1.data.files=[\"train.csv\"]", "r1.data.files", "\"train.csv\": expected a .jsonl, .json or .parquet file")]
    [InlineData("r1.data.held-out-files=[\"test.jsonl\"]", "r1.data.held-out-files", "held-out files need source = \"files\"")]
    [InlineData("r1.data.arithmetic.operations=[\"divide\"]", "r1.data.arithmetic.operations", "unknown operation \"divide\"")]
    [InlineData("r1.data.countdown.max-numbers=2", "r1.data.countdown.max-numbers", "from 3 to 8, got 2")]
    [InlineData("r1.data.arithmetic.style=trace|r1.data.arithmetic.operations=[\"add\", \"multiply\"]", "r1.data.arithmetic.operations", "style \"trace\" writes the carries of a sum")]
    [InlineData("r1.data.arithmetic.max-operands=3", "r1.data.arithmetic.max-operands", "only style \"trace\" sums more than two operands")]
    [InlineData("r1.data.arithmetic.style=trace|r1.data.arithmetic.operations=[\"add\"]|r1.data.arithmetic.max-operands=12", "r1.data.arithmetic.max-operands", "got 12")]
    [InlineData("r1.run.deterministic=true", "r1.pipeline.max-staleness", "needs max-staleness = 0")]
    [InlineData("r1.run.deterministic=true|r1.pipeline.max-staleness=0|r1.pipeline.devices=[\"cpu\", \"cuda:0\"]", "r1.pipeline.devices", "needs exactly one device")]
    [InlineData("r1.run.deterministic=true|r1.pipeline.max-staleness=0", "r1.torch.threads", "needs a fixed thread count")]
    [InlineData("r1.pipeline.devices=[]", "r1.pipeline.devices", "none is allowed only for a cluster's learner node")]
    [InlineData("r1.cluster.enabled=true|r1.cluster.seed-nodes=[\"10.0.0.5\"]", "r1.cluster.seed-nodes", "'10.0.0.5' is not host:port")]
    [InlineData("r1.cluster.seed-nodes=[\"10.0.0.5:99999\"]", "r1.cluster.seed-nodes", "is not host:port")]
    [InlineData("r1.cluster.enabled=true|r1.cluster.down-after=0", "r1.cluster.down-after", "above 0")]
    [InlineData("r1.cluster.enabled=true|r1.run.deterministic=true|r1.pipeline.max-staleness=0|r1.torch.threads=1", "r1.cluster.enabled", "runs in one process")]
    public void A_bad_pipeline_or_data_value_names_its_key_and_what_was_expected(string sets, string key, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => R1Settings.Load(null, sets.Split('|')));

        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Deterministic_mode_reaches_the_pipeline_when_its_rules_hold()
    {
        var (settings, _) = R1Settings.Load(null, ["r1.run.deterministic=true", "r1.pipeline.max-staleness=0", "r1.torch.threads=2"]);
        var (plain, _) = R1Settings.Load(null, []);

        Assert.True(settings.Pipeline.Deterministic);
        Assert.False(plain.Pipeline.Deterministic);
    }

    [Fact]
    public void A_cluster_node_binds_its_settings_and_a_learner_node_may_have_no_device_of_its_own()
    {
        var (learner, _) = R1Settings.Load(null, ["r1.cluster.enabled=true", "r1.pipeline.devices=[]", "r1.cluster.max-version-lag=1"]);
        var (node, _) = R1Settings.Load(null, ["r1.cluster.enabled=true", "r1.cluster.port=0", "r1.cluster.seed-nodes=[\"10.0.0.5:4053\"]", "r1.cluster.transfer-chunk-kib=256"]);
        var (plain, _) = R1Settings.Load(null, []);

        Assert.Empty(learner.Pipeline.Devices);
        var cluster = learner.Pipeline.Cluster!;
        Assert.Equal(("127.0.0.1", 4053, 1, TimeSpan.FromSeconds(10)), (cluster.Hostname, cluster.Port, cluster.MaxVersionLag, cluster.DownAfter));
        Assert.Equal(["akka.tcp://r1actors@127.0.0.1:4053"], cluster.SeedAddresses(isLearner: true));
        Assert.Equal(["akka.tcp://r1actors@10.0.0.5:4053"], node.Pipeline.Cluster!.SeedAddresses(isLearner: false));
        Assert.Equal(256 * 1024, node.Pipeline.Cluster.TransferChunkBytes);
        Assert.Null(plain.Pipeline.Cluster);   // one process
    }
}
