using System.Text.Json;
using R1Actors.Policy.Tests.Reference;
using R1Actors.Policy.Tokenization.Unicode;

namespace R1Actors.Policy.Tests.Tokenization;

public class UnicodeNfcTests
{
    [Theory]
    [InlineData("e\u0301", "\u00E9")]                        // compose
    [InlineData("\uF900", "\u8C48")]                         // singleton decomposition, never recomposed
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]             // Hangul L V T
    [InlineData("a\u0307\u0323", "\u1EA1\u0307")]            // marks reordered by class, then composed
    [InlineData("\u0958", "\u0915\u093C")]                   // composition exclusion
    [InlineData("plain ASCII", "plain ASCII")]
    public void Normalizes_known_cases(string input, string expected) => Assert.Equal(expected, UnicodeNfc.Normalize(input));

    [Fact]
    public void Agrees_with_python_unicodedata_on_every_code_point_alone_and_with_marks()
    {
        var inputs = new List<string>();
        for (var cp = 0; cp < 0x30000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF)
                continue;
            var s = char.ConvertFromUtf32(cp);
            inputs.Add(s);
            if (cp % 7 == 0 || cp is >= 0x300 and < 0x370 or >= 0x1100 and < 0x1200 or >= 0xAC00 and < 0xAC40)
            {
                inputs.Add(s + "\u0301\u0323");
                inputs.Add("a" + s + "\u0308");
                inputs.Add("\u1100" + s);
            }
        }
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("in.json"), JsonSerializer.Serialize(inputs));
        PythonReference.Run("nfc_reference.py", folder.File("in.json"), folder.File("out.json"));
        var expected = JsonSerializer.Deserialize<string[]>(File.ReadAllText(folder.File("out.json")))!;
        var mismatches = inputs.Select((s, i) => (s, e: expected[i])).Where(p => UnicodeNfc.Normalize(p.s) != p.e).ToList();
        Assert.True(mismatches.Count == 0,
            $"{mismatches.Count} of {inputs.Count} differ, e.g. {string.Join(", ", mismatches.Take(5).Select(m => string.Join(" ", m.s.EnumerateRunes().Select(r => $"U+{r.Value:X4}"))))}");
    }
}
