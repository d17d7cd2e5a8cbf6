using System.Text.Json;
using R1Actors.Adapters;
using R1Actors.Pipeline.Contracts;
using R1Actors.Policy;
using R1Actors.Policy.Checkpoints;
using R1Actors.Policy.Model.Lora;
using R1Actors.Policy.Sampling;
using R1Actors.Policy.Settings;
using R1Actors.Policy.Tokenization;
using R1Actors.Training.Weights;

namespace R1Actors.Tests.Adapters;

/// <summary>
/// The weights hand-off to a sampler node, without the network: the learner's newest version written as a file, imported
/// by a node into its own store on top of the model folder it fetched, samples exactly what the learner samples — the
/// whole model, or with LoRA the adapter alone.
/// </summary>
public sealed class ClusterWeightsTests : IDisposable
{
    private static readonly TinyModelSettings Tiny = new(32, 1, 2, 1, 48, 256, 10000, 3);
    private static readonly TokenizerSettings Tokenizer = new("r1-zero", R1ZeroPromptFormat.DefaultTemplate, "", true);
    private static readonly SamplingOptions Options = new() { MaxNewTokens = 5 };

    private readonly string _dir = Directory.CreateTempSubdirectory("r1-cluster-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IssuedPrompt Prompt(long ordinal) =>
        new(ordinal, new PromptCursor(0, ordinal), new Prompt($"p{ordinal}", new TextPrompt("1+1"), new TaskSpec("exact", new Dictionary<string, JsonElement>())));

    /// <summary>The model folder a node fetches: a base model other than the learner's weights (init seed 2).</summary>
    private string ModelFolder(LoraSettings? lora)
    {
        var folder = Path.Combine(_dir, "model");
        using var replica = PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = lora is null ? 2 : 1 }), Tokenizer, "cpu");
        Directory.CreateDirectory(folder);
        Policy.Checkpoints.ModelFolder.Save(replica.Model, folder);
        replica.SaveTokenizer(folder, null);
        return folder;
    }

    private IReadOnlyList<Rollout> SampledOnTheNode(WeightStore learnerStore, string modelFolder, LoraSettings? lora, long version, bool expectAdapter)
    {
        var exported = new ClusterWeightsSource(modelFolder, learnerStore).ExportLatest(Directory.CreateDirectory(Path.Combine(_dir, "export")).FullName);
        Assert.Equal((version, expectAdapter), (exported.Version, exported.IsAdapter));
        using var node = new SamplerNodePorts(new ModelSettings("", "float32", Tiny), Tokenizer, new SamplingSettings(Options), lora, new Dictionary<string, string>());
        var factory = node.OpenModel(modelFolder);
        node.ImportWeights(exported.Path, exported.Version, exported.IsAdapter);
        using var port = factory.Create("cpu");
        port.ApplyWeights(version);
        Assert.Equal(version, port.PolicyVersion);
        return port.Generate(new SampleBatch([Prompt(0)], 3, RunSeed: 9, PolicyVersion: version));
    }

    private static IReadOnlyList<SampledCompletion> SampledByTheLearner(PolicyReplica learner, long version) =>
        learner.Sample([learner.EncodePrompt("1+1")], 3, [.. Enumerable.Range(0, 3).Select(i => SampleSeed.Derive(9, version, 0, i))], Options);

    [Fact]
    public void A_full_version_imported_on_a_node_samples_what_the_learner_samples()
    {
        using var learner = PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = 1 }), Tokenizer, "cpu");
        using var store = new WeightStore();
        store.Publish(learner.Model, 6);
        var rollouts = SampledOnTheNode(store, ModelFolder(lora: null), lora: null, 6, expectAdapter: false);
        var expected = SampledByTheLearner(learner, 6);
        Assert.Equal(expected.Select(c => c.CompletionTokenIds), rollouts.Select(r => r.CompletionTokenIds));
        Assert.Equal(expected.Select(c => c.LogProbs), rollouts.Select(r => r.BehaviourLogProbs));
    }

    [Fact]
    public void With_lora_the_file_holds_the_adapter_alone_and_the_node_samples_base_plus_adapter_as_the_learner()
    {
        var lora = new LoraSettings(2, 4, 0.0, ["q_proj", "v_proj"], InitSeed: 1, PublishBfloat16: false);
        using var learner = PolicyReplica.Load(new ModelSettings("", "float32", Tiny with { InitSeed = 1 }), Tokenizer, "cpu", lora);
        using (TorchSharp.torch.no_grad())
        using (var generator = new TorchSharp.torch.Generator(3))
            foreach (var (_, parameter) in learner.Model.Adapter!.NamedParameters())
                parameter.normal_(0, 0.5, generator);
        using var store = new WeightStore();
        store.Publish(learner.Model.PublishedWeights(), 2);
        var rollouts = SampledOnTheNode(store, ModelFolder(lora), lora with { InitSeed = 9 }, 2, expectAdapter: true);
        var expected = SampledByTheLearner(learner, 2);
        Assert.Equal(expected.Select(c => c.CompletionTokenIds), rollouts.Select(r => r.CompletionTokenIds));
        Assert.Equal(expected.Select(c => c.LogProbs), rollouts.Select(r => r.BehaviourLogProbs));
        using var file = SafetensorsFile.Open(Directory.GetFiles(Path.Combine(_dir, "export")).Single());
        Assert.Equal(learner.Model.Adapter!.NamedParameters().Select(p => p.Name).Order(StringComparer.Ordinal), file.Entries.Keys.Order(StringComparer.Ordinal));
    }
}
