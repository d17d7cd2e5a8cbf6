using System.Globalization;
using R1Actors.Cli;

namespace R1Actors.Comparison;

/// <summary>
/// What every arm of a comparison may spend: sampled completions (<c>samples=N</c>), wall time of training
/// (<c>time=10m</c>), or both (<c>samples=N,time=10m</c>: whichever runs out first).
/// <example><c>samples=102400</c> → (102400, null); <c>time=90s</c> → (null, 00:01:30); <c>samples=0</c> → usage error.</example>
/// </summary>
public sealed record CompareBudget(long? Samples, TimeSpan? Time)
{
    /// <exception cref="UsageException">The text is not a budget.</exception>
    public static CompareBudget Parse(string text)
    {
        long? samples = null;
        TimeSpan? time = null;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = part.IndexOf('=') is var eq and > 0 ? (part[..eq].Trim(), part[(eq + 1)..].Trim()) : (part, "");
            switch (key)
            {
                case "samples" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    samples = n;
                    break;
                case "time" when Duration(value) is { } t:
                    time = t;
                    break;
                default:
                    throw new UsageException($"--budget {text}: \"{part}\" is not samples=N (a positive count of sampled completions) or time=T (e.g. 90s, 10m, 1h)");
            }
        }
        if (samples is null && time is null)
            throw new UsageException($"--budget {text}: give samples=N, time=T or both, e.g. --budget samples=102400");
        return new CompareBudget(samples, time);
    }

    private static TimeSpan? Duration(string value)
    {
        if (value.Length < 2 || !double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
            return null;
        return value[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => null,
        };
    }

    public override string ToString() =>
        string.Join(",", new[] { Samples is { } n ? $"samples={n}" : null, Time is { } t ? $"time={t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" : null }.OfType<string>());
}
