using System.Globalization;
using System.Reflection;
using System.Text;

namespace R1Actors.Policy.Tokenization.Unicode;

/// <summary>
/// Unicode normalisation form C (canonical decomposition, canonical ordering, canonical composition), as
/// Qwen's tokenizer.json asks for. R1Actors runs with invariant globalisation, where .NET's own
/// <see cref="string.Normalize()"/> leaves text unchanged, so the tables ship with the library
/// (nfc-data.txt, generated from Python's unicodedata by generate_nfc_data.py) and Hangul is algorithmic.
/// </summary>
internal static class UnicodeNfc
{
    private const int HangulBase = 0xAC00, HangulCount = 11172, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount;
    private static readonly Lazy<Tables> Data = new(Tables.Load);

    public static string Normalize(string text)
    {
        // Nothing below U+0300 decomposes into, or composes with, anything that changes under NFC.
        if (text.All(c => c < 0x300))
            return text;
        var tables = Data.Value;
        var decomposed = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
            Decompose(rune.Value, tables, decomposed);
        SortMarks(decomposed, tables);
        var composed = Compose(decomposed, tables);
        var builder = new StringBuilder(text.Length);
        foreach (var cp in composed)
            builder.Append(char.ConvertFromUtf32(cp));
        return builder.ToString();
    }

    private static void Decompose(int cp, Tables tables, List<int> output)
    {
        if (cp is >= HangulBase and < HangulBase + HangulCount)
        {
            var index = cp - HangulBase;
            output.Add(LBase + index / NCount);
            output.Add(VBase + index % NCount / TCount);
            if (index % TCount != 0)
                output.Add(TBase + index % TCount);
        }
        else if (tables.Decompositions.TryGetValue(cp, out var parts))
            foreach (var part in parts)
                Decompose(part, tables, output);
        else
            output.Add(cp);
    }

    /// <summary>Canonical ordering: a stable sort of each run of non-starters by combining class.</summary>
    private static void SortMarks(List<int> cps, Tables tables)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var ccc = tables.Class(cps[i]);
            for (var j = i; ccc != 0 && j > 0 && tables.Class(cps[j - 1]) > ccc; j--)
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
        }
    }

    private static List<int> Compose(List<int> cps, Tables tables)
    {
        var output = new List<int>(cps.Count);
        if (cps.Count == 0)
            return output;
        var starterPos = 0;
        var starter = cps[0];
        var lastClass = tables.Class(starter) == 0 ? 0 : 256;
        output.Add(starter);
        for (var i = 1; i < cps.Count; i++)
        {
            var cp = cps[i];
            var cls = tables.Class(cp);
            if ((lastClass < cls || lastClass == 0) && Composite(starter, cp, tables) is { } composite)
            {
                output[starterPos] = composite;
                starter = composite;
                continue;
            }
            if (cls == 0)
            {
                starterPos = output.Count;
                starter = cp;
            }
            lastClass = cls;
            output.Add(cp);
        }
        return output;
    }

    private static int? Composite(int first, int second, Tables tables)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
            return HangulBase + ((first - LBase) * VCount + (second - VBase)) * TCount;
        if (first is >= HangulBase and < HangulBase + HangulCount && (first - HangulBase) % TCount == 0
            && second is > TBase and < TBase + TCount)
            return first + (second - TBase);
        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out var c) ? c : null;
    }

    private sealed class Tables
    {
        public Dictionary<int, int[]> Decompositions { get; } = [];
        public Dictionary<int, byte> Classes { get; } = [];
        public Dictionary<long, int> Compositions { get; } = [];

        public byte Class(int cp) => Classes.TryGetValue(cp, out var c) ? c : (byte)0;

        public static Tables Load()
        {
            var tables = new Tables();
            var excluded = new HashSet<int>();
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("R1Actors.Policy.Tokenization.nfc-data.txt")
                ?? throw new InvalidOperationException("the NFC tables (nfc-data.txt) are missing from the R1Actors.Policy assembly");
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith('#'))
                    continue;
                var fields = line.Split(' ');
                var values = fields.Skip(1).Select(f => int.Parse(f, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
                switch (fields[0])
                {
                    case "D": tables.Decompositions[values[0]] = values[1..]; break;
                    case "C": tables.Classes[values[0]] = (byte)int.Parse(fields[2], CultureInfo.InvariantCulture); break;
                    case "X": excluded.Add(values[0]); break;
                }
            }
            foreach (var (composite, parts) in tables.Decompositions)
                if (parts.Length == 2 && !excluded.Contains(composite) && tables.Class(parts[0]) == 0)
                    tables.Compositions[((long)parts[0] << 21) | (uint)parts[1]] = composite;
            return tables;
        }
    }
}
