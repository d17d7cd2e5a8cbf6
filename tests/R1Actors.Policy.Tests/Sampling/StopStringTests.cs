using R1Actors.Policy.Model;
using R1Actors.Policy.Sampling;

namespace R1Actors.Policy.Tests.Sampling;

public class StopStringTests
{
    [Fact]
    public void Stop_string_split_across_tokens_ends_the_row_after_the_completing_token()
    {
        var tokenizer = Tokenization.CharTokenizerTests.Tiny();
        using var model = TestModels.RandomEverywhere(TestModels.Tiny(Qwen2Family.Instance) with { VocabSize = tokenizer.VocabSize });
        var generator = new BatchGenerator(model, tokenizer);
        int[][] prompts = [[.. tokenizer.Encode("1+1=")], [.. tokenizer.Encode("what?")]];
        var request = GenerationRequest.ForStep(prompts, 4, 7, 0, [0, 1]);
        var free = generator.Generate(request, new SamplingOptions { MaxNewTokens = 16 }).Sequences;
        // A two-character stop string taken from the middle of the first completion.
        var text = tokenizer.Decode(free[0].TokenIds);
        var stop = text.Substring(3, 2);
        var stopped = generator.Generate(request, new SamplingOptions { MaxNewTokens = 16, StopStrings = [stop] }).Sequences;
        for (var r = 0; r < free.Count; r++)
        {
            var full = tokenizer.Decode(free[r].TokenIds);
            var at = full.IndexOf(stop, StringComparison.Ordinal);
            var expected = at < 0 ? full : full[..(at + stop.Length)];
            Assert.Equal(expected, tokenizer.Decode(stopped[r].TokenIds));
            Assert.Equal(at < 0 ? FinishReason.Length : FinishReason.Stop, stopped[r].FinishReason);
            Assert.Equal(at < 0 ? null : stop, stopped[r].MatchedStopString);
        }
    }
}
