using System.Text;

namespace R1Actors.Policy.Tokenization;

/// <summary>
/// GPT-2's byte-level alphabet, used by Qwen and Llama 3: every byte maps to one printable character
/// (printable Latin-1 bytes to themselves, the other 68 to U+0100…), so BPE runs on text with no
/// unknown symbols and any byte sequence — even a split UTF-8 character — is representable.
/// </summary>
internal static class ByteLevel
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static char[] BuildTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = (char)(printable ? b : next++);
        }
        return table;
    }

    /// <summary>Text → its UTF-8 bytes written in the byte-level alphabet.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, (span, b) =>
        {
            for (var i = 0; i < b.Length; i++)
                span[i] = ByteToChar[b[i]];
        });
    }

    /// <summary>A token in the byte-level alphabet → the bytes it stands for; characters outside the alphabet pass as UTF-8.</summary>
    public static byte[] Decode(string token)
    {
        var bytes = new List<byte>(token.Length);
        foreach (var c in token)
        {
            if (CharToByte.TryGetValue(c, out var b))
                bytes.Add(b);
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return [.. bytes];
    }

    public static string CharOf(byte b) => ByteToChar[b].ToString();
}
