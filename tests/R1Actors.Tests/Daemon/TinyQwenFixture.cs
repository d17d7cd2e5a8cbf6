using System.Text.Json.Nodes;
using R1Actors.Policy.Model;
using R1Actors.Policy.Tokenization;
using static TorchSharp.torch;

namespace R1Actors.Tests.Daemon;

/// <summary>
/// What the real-model configurations are run against on the CPU: a tiny randomly initialised Qwen2-shaped
/// model (hidden 64, 2 layers, 4 heads over 2 key/value heads, so grouped-query attention and the q/k/v biases
/// are exercised; tied embeddings; the real tokenizer's vocabulary) written as a Hugging Face folder with the
/// real Qwen tokenizer files; a copy whose tokenizer_config.json carries Qwen2.5-Instruct's chat template; and
/// small GSM8K- and MBPP-shaped datasets.
/// </summary>
public sealed class TinyQwenFixture : IDisposable
{
    public TinyQwenFixture()
    {
        Root = Directory.CreateTempSubdirectory("r1-realmodels-").FullName;
        ModelFolder = Path.Combine(Root, "Qwen2-tiny");
        WriteModel(ModelFolder);
        InstructModelFolder = Path.Combine(Root, "Qwen2-tiny-instruct");
        WriteInstructCopy(ModelFolder, InstructModelFolder);
        GsmTrain = WriteLines("gsm8k-train.jsonl", GsmLines(0, 8));
        GsmTest = WriteLines("gsm8k-test.jsonl", GsmLines(100, 2));
        MbppTrain = WriteLines("mbpp-train.jsonl", MbppLines(0, 6));
        MbppTest = WriteLines("mbpp-test.jsonl", MbppLines(50, 2));
    }

    public string Root { get; }

    public string ModelFolder { get; }

    /// <summary>The same model with Qwen2.5-Instruct's chat template (default system turn, ChatML).</summary>
    public string InstructModelFolder { get; }

    public string GsmTrain { get; }

    public string GsmTest { get; }

    public string MbppTrain { get; }

    public string MbppTest { get; }

    /// <summary>The real Qwen tokenizer files (build/setup.sh fetches them); missing files fail with the remedy.</summary>
    public static string TokenizerFolder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("R1ACTORS_QWEN_TOKENIZER") is { Length: > 0 } named
                ? named
                : RepositoryPaths.File(".cache", "qwen-tokenizer");
            if (!File.Exists(Path.Combine(folder, "tokenizer.json")) || !File.Exists(Path.Combine(folder, "tokenizer_config.json")))
                Assert.Fail($"The Qwen tokenizer files are missing from {folder}. Fetch them with build/fetch-qwen-tokenizer.sh "
                    + "(make does this before the tests), or point R1ACTORS_QWEN_TOKENIZER at a folder holding tokenizer.json and tokenizer_config.json.");
            return folder;
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void WriteModel(string folder)
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Path.Combine(TokenizerFolder, "tokenizer.json"));
        var config = new ModelConfig
        {
            Family = Qwen2Family.Instance,
            VocabSize = tokenizer.VocabSize,
            HiddenSize = 64,
            IntermediateSize = 128,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            HeadDim = 16,
            RopeTheta = 1_000_000.0,
            MaxPositionEmbeddings = 4096,
            TieWordEmbeddings = true,
            TorchDtype = ScalarType.BFloat16,               // as Qwen2.5 ships: the configs' dtypes must cope
            BosTokenId = tokenizer.TokenToId("<|endoftext|>"),
            EosTokenIds = [tokenizer.TokenToId("<|endoftext|>")!.Value, tokenizer.TokenToId("<|im_end|>")!.Value],
        }.Validated("tiny Qwen2");
        using var model = ModelInitializer.CreateRandom(config, ScalarType.BFloat16, CPU, seed: 11);
        Policy.Checkpoints.ModelFolder.Save(model, folder);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(TokenizerFolder, file), Path.Combine(folder, file));
    }

    private static void WriteInstructCopy(string source, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var configPath = Path.Combine(folder, "tokenizer_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["chat_template"] = File.ReadAllText(RepositoryPaths.File("tests", "R1Actors.Policy.Tests", "Reference", "qwen2.5-chat-template.jinja"));
        File.WriteAllText(configPath, config.ToJsonString());
    }

    private string WriteLines(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>GSM8K's own shape: question, and a worked answer ending in "#### N".</summary>
    private static IEnumerable<string> GsmLines(int first, int count) => Enumerable.Range(first, count).Select(i =>
        $$"""{"question": "Tom has {{i + 3}} apples and buys {{i + 4}} more. How many apples does he have now?", "answer": "Tom has {{i + 3}} + {{i + 4}} = <<{{i + 3}}+{{i + 4}}={{2 * i + 7}}>>{{2 * i + 7}} apples.\n#### {{2 * i + 7}}"}""");

    /// <summary>
    /// Code problems as the code configuration reads them: MBPP's shape (a prompt naming the function and its list of
    /// asserts as <c>test_code</c>) and, every other line, a stdin/stdout problem with <c>tests</c> cases.
    /// </summary>
    private static IEnumerable<string> MbppLines(int first, int count) => Enumerable.Range(first, count).Select(i => i % 2 == 0
        ? $$"""{"id": "mbpp-{{i}}", "prompt": "Write a function add_{{i}}(a, b) that returns a + b + {{i}}. Your code should pass these tests:\nassert add_{{i}}(1, 2) == {{i + 3}}", "test_code": ["assert add_{{i}}(1, 2) == {{i + 3}}", "assert add_{{i}}(0, 0) == {{i}}"]}"""
        : $$"""{"id": "stdio-{{i}}", "prompt": "Read two integers from one line and print their sum plus {{i}}.", "tests": [{"stdin": "1 2\n", "stdout": "{{i + 3}}\n"}, {"stdin": "0 0\n", "stdout": "{{i}}\n"}]}""");
}
