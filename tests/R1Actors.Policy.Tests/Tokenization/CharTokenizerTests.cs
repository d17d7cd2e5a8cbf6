using R1Actors.Policy.Tokenization;

namespace R1Actors.Policy.Tests.Tokenization;

public class CharTokenizerTests
{
    internal static CharTokenizer Tiny() => new(
        ["<|endoftext|>", "<|pad|>"], "abcdefghijklmnopqrstuvwxyz <>/0123456789+=?.:".Select(c => c.ToString()).Append("é"),
        eosToken: "<|endoftext|>", padToken: "<|pad|>", unkToken: null);

    [Fact]
    public void Specials_come_first_then_one_id_per_character()
    {
        var tokenizer = Tiny();
        Assert.Equal([2, 3, 4, 0], tokenizer.Encode("abc<|endoftext|>"));
        Assert.Equal(0, tokenizer.EosTokenId);
        Assert.Equal(1, tokenizer.PadTokenId);
        Assert.Equal("abc", tokenizer.Decode([2, 3, 4, 0], skipSpecialTokens: true));
    }

    [Fact]
    public void Saved_file_loads_back_with_the_same_ids()
    {
        using var folder = new TempFolder();
        var tokenizer = Tiny();
        tokenizer.Save(folder.Path);
        var loaded = Tokenizers.Load(folder.Path);
        const string text = "<think>9+3=12</think> <answer>12</answer>é<|endoftext|>";
        Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
        Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
    }

    [Fact]
    public void Character_outside_the_alphabet_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => Tiny().Encode("abc€"));
        Assert.Contains("U+20AC", error.Message);
    }

    [Fact]
    public void Malformed_file_names_the_file()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File(CharTokenizer.FileName), "{\"type\": \"r1actors-char\", \"characters\": 5}");
        var error = Assert.Throws<TokenizerFormatException>(() => Tokenizers.Load(folder.Path));
        Assert.Contains(CharTokenizer.FileName, error.Message);
    }
}
