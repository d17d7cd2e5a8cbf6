using System.Text;

namespace R1Actors.Policy.Tests.Tokenization;

// Ids pinned from an independent tokenizer (@lenml/tokenizers, a transformers.js fork) run on the same Qwen3
// tokenizer.json: see Reference/qwen_tokenizer_reference.mjs for how they were produced.
public class QwenTokenizerTests
{
    public static TheoryData<string, int[]> PinnedIds => new()
    {
        { "Hello, world! This is R1Actors.", [9707, 11, 1879, 0, 1096, 374, 431, 16, 2414, 1087, 13] },
        { "The answer is 1234567 + 89 = 1234656.", [785, 4226, 374, 220, 16, 17, 18, 19, 20, 21, 22, 488, 220, 23, 24, 284, 220, 16, 17, 18, 19, 21, 20, 21, 13] },
        { "Solve $\\frac{x^2}{\\sqrt{3}} + \\int_0^1 e^{-t}\\,dt = \\boxed{42}$.", [50, 3948, 57960, 37018, 45340, 61, 17, 15170, 59, 26888, 90, 18, 3417, 488, 1124, 396, 62, 15, 61, 16, 384, 87210, 83, 11035, 11, 8047, 284, 1124, 79075, 90, 19, 17, 92, 12947] },
        { "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n\n\tif x:\n\t\tpass\n", [750, 912, 2877, 11, 293, 982, 262, 4210, 2212, 1378, 5109, 14442, 262, 470, 264, 488, 293, 271, 743, 856, 510, 197, 41431, 198] },
        { "我们来解这个方程：x 的平方等于四。", [97639, 36407, 49238, 99487, 23384, 38507, 5122, 87, 43589, 100835, 107106, 63703, 1773] },
        { "Great job 🎉👍🏽 — café naïve résumé", [21396, 2618, 11162, 236, 231, 144349, 145375, 1959, 51950, 94880, 586, 9333, 1242, 963] },
        { "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nfour\n</think>\n\n<answer>4</answer><|im_end|><|endoftext|>", [151644, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 151645, 198, 151644, 77091, 198, 151667, 198, 34024, 198, 151668, 271, 27, 9217, 29, 19, 522, 9217, 29, 151645, 151643] },
        { "e\u0301 and \uF900 and \u1100\u1161\u11A8 decomposed", [963, 323, 8908, 109, 230, 323, 126804, 28502, 3865] },
        { "I'm sure they'll say it's fine, WE'VE done it. 𝐀𝐁𝐂 𝟏𝟐 𐐷 text", [40, 2776, 2704, 807, 3278, 1977, 432, 594, 6915, 11, 19677, 6, 4491, 2814, 432, 13, 81250, 238, 222, 147822, 147382, 220, 56252, 253, 237, 56252, 253, 238, 220, 123934, 238, 115, 1467] },
        { "   leading spaces\n\n\n   trailing   \r\n\tmix  ", [256, 6388, 12621, 1406, 256, 27748, 20338, 2109, 941, 256] },
        { "'Stop it, 'S fine' said O'Neil 3.14159", [13272, 3481, 432, 11, 364, 50, 6915, 6, 1053, 506, 6, 61940, 220, 18, 13, 16, 19, 16, 20, 24] },
        { "abc<|im_end|>def<think>x</think>", [13683, 151645, 750, 151667, 87, 151668] },
        { "x\n\n\n\ny  \n z\u00A0\u3000w", [87, 1022, 88, 2303, 1147, 4102, 22441, 86] },
        { "\u00A0\u00A0hello", [4102, 4102, 14990] },
        { "def f():\n        return {'k': [1, 2]}  # comment\n", [750, 282, 3932, 286, 470, 5360, 74, 1210, 508, 16, 11, 220, 17, 13989, 220, 671, 3980, 198] },    };

    [Theory]
    [MemberData(nameof(PinnedIds))]
    public void Encoding_matches_the_reference_ids(string text, int[] expected) =>
        Assert.Equal(expected, QwenTokenizerFiles.Tokenizer.Encode(text));

    [Theory]
    [MemberData(nameof(PinnedIds))]
    public void Decoding_the_ids_gives_back_the_nfc_text(string text, int[] ids)
    {
        var expected = text.Contains('\u0301') ? "\u00E9 and \u8C48 and \uAC01 decomposed" : text;
        Assert.Equal(expected, QwenTokenizerFiles.Tokenizer.Decode(ids));
    }

    [Fact]
    public void Special_tokens_have_their_qwen_ids_and_metadata()
    {
        var tokenizer = QwenTokenizerFiles.Tokenizer;
        Assert.Equal(151643, tokenizer.TokenToId("<|endoftext|>"));
        Assert.Equal(151645, tokenizer.EosTokenId);        // tokenizer_config.json: eos_token <|im_end|>
        Assert.Equal(151643, tokenizer.PadTokenId);        // pad_token <|endoftext|>
        Assert.Equal(151669, tokenizer.VocabSize);
        Assert.Equal("<think>", tokenizer.Decode([151667]));
    }

    [Fact]
    public void Skipping_special_tokens_keeps_think_tags_which_are_not_special()
    {
        var tokenizer = QwenTokenizerFiles.Tokenizer;
        var ids = tokenizer.Encode("<|im_start|>assistant\n<think>x</think><|im_end|>");
        Assert.Equal("assistant\n<think>x</think>", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Token_bytes_can_hold_part_of_a_character()
    {
        var tokenizer = QwenTokenizerFiles.Tokenizer;
        var ids = tokenizer.Encode(" 🎉👍🏽");
        Assert.Equal([11162, 236, 231, 144349, 145375], ids);
        Assert.Equal(Encoding.UTF8.GetBytes(" 🎉👍🏽"), ids.SelectMany(tokenizer.TokenBytes).ToArray());
        Assert.EndsWith("\uFFFD", tokenizer.Decode([ids[0]]));
    }
}
