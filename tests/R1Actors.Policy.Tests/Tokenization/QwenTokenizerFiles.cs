using R1Actors.Policy.Tokenization;

namespace R1Actors.Policy.Tests.Tokenization;

/// <summary>
/// The real Qwen3 tokenizer files, fetched by the test set-up (build/fetch-qwen-tokenizer.sh, run by make) into
/// .cache/qwen-tokenizer at the repository root, or named by R1ACTORS_QWEN_TOKENIZER. Missing files fail
/// the tests that need them, with the remedy — they are never skipped.
/// </summary>
public sealed class QwenTokenizerFiles
{
    private static readonly Lazy<ByteLevelBpeTokenizer> Shared = new(() => ByteLevelBpeTokenizer.Load(Path.Combine(Folder, "tokenizer.json")));

    public static string Folder => Environment.GetEnvironmentVariable("R1ACTORS_QWEN_TOKENIZER") is { Length: > 0 } named
        ? Require(named)
        : Require(FindUpwards(AppContext.BaseDirectory));

    public static ByteLevelBpeTokenizer Tokenizer => Shared.Value;

    private static string FindUpwards(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".cache", "qwen-tokenizer");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return Path.Combine(start, ".cache", "qwen-tokenizer");
    }

    private static string Require(string folder)
    {
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")) || !File.Exists(Path.Combine(folder, "tokenizer_config.json")))
            Assert.Fail($"The Qwen3 tokenizer files are missing from {folder}. Fetch them with build/fetch-qwen-tokenizer.sh "
                + "(make does this before the tests), or point R1ACTORS_QWEN_TOKENIZER at a folder holding tokenizer.json and tokenizer_config.json.");
        return folder;
    }
}
