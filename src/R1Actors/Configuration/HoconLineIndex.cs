using System.Text.RegularExpressions;

namespace R1Actors.Configuration;

/// <summary>
/// Finds the line on which each key of a HOCON file is set, so errors can say "file line N". It follows
/// the layout R1Actors' files use (one key a line, <c>name {</c> opening a block, <c>}</c> closing it,
/// dotted paths allowed); a key it cannot place is reported with the file alone.
/// </summary>
internal static partial class HoconLineIndex
{
    [GeneratedRegex("""^\s*("[^"]+"|[A-Za-z0-9_\-.]+)\s*(\{|=|:)""")]
    private static partial Regex KeyLine();

    public static IReadOnlyDictionary<string, int> Build(string text)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = StripComment(raw);
            var match = KeyLine().Match(line);
            if (match.Success)
            {
                var key = match.Groups[1].Value.Trim('"');
                var path = stack.Count == 0 ? key : $"{stack.Peek()}.{key}";
                lines.TryAdd(path, number);
                var opens = match.Groups[2].Value == "{" || line.TrimEnd().EndsWith('{');
                if (opens && !line.Contains('}', StringComparison.Ordinal))
                {
                    stack.Push(path);
                }
            }
            else if (line.Trim() == "}" && stack.Count > 0)
            {
                stack.Pop();
            }
        }
        return lines;
    }

    /// <summary>The line of <paramref name="key"/> or of its nearest enclosing block that has one.</summary>
    public static int? Find(IReadOnlyDictionary<string, int> index, string key)
    {
        for (var path = key; path.Length > 0; path = path.Contains('.', StringComparison.Ordinal) ? path[..path.LastIndexOf('.')] : "")
        {
            if (index.TryGetValue(path, out var line))
            {
                return line;
            }
        }
        return null;
    }

    /// <summary>
    /// The first unbalanced brace or bracket, as "line N: ..." — HOCON parsers accept a missing closing
    /// brace at the end of a file silently, which would drop a whole block of settings.
    /// </summary>
    public static string? FindUnbalanced(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var inString = false;
            foreach (var c in StripComment(raw))
            {
                if (c == '"')
                {
                    inString = !inString;
                }
                else if (!inString && c is '{' or '[')
                {
                    open.Push((c, number));
                }
                else if (!inString && c is '}' or ']')
                {
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0 || open.Peek().Bracket != expected)
                    {
                        return $"line {number}: '{c}' closes nothing";
                    }
                    open.Pop();
                }
            }
        }
        return open.Count == 0 ? null : $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed";
    }

    private static string StripComment(string line)
    {
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                inString = !inString;
            }
            else if (!inString && (line[i] == '#' || (line[i] == '/' && i + 1 < line.Length && line[i + 1] == '/')))
            {
                return line[..i];
            }
        }
        return line;
    }
}
