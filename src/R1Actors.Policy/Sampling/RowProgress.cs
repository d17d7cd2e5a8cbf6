using System.Text;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// Host-side state of one row: the tokens accepted so far and whether (and why) it finished. Stop strings are
/// matched on the UTF-8 bytes of the generated text, so a stop string split across tokens, or a multi-byte
/// character split across byte-level tokens, is still found. A row may have a token limit of its own below
/// <see cref="SamplingOptions.MaxNewTokens"/> (<see cref="GenerationRequest.TokenLimits"/>).
/// </summary>
internal sealed class RowProgress(int prompt, int sample, SamplingOptions options, Func<int, byte[]>? tokenBytes, int? tokenLimit = null)
{
    private readonly int limit = tokenLimit ?? options.MaxNewTokens;
    private readonly List<int> tokens = [];
    private readonly List<float> logProbs = [];
    private readonly List<float> filteredLogProbs = [];
    private readonly List<byte> text = [];
    private FinishReason? finish;
    private string? matchedStop;

    public bool Finished => finish is not null;

    /// <summary>Accepts one sampled token unless the row has finished; marks it finished on a stop or at the limit.</summary>
    public void Accept(int token, float logProb, float filteredLogProb, IReadOnlyList<byte[]> stopStrings)
    {
        if (Finished)
            return;
        tokens.Add(token);
        logProbs.Add(logProb);
        filteredLogProbs.Add(filteredLogProb);
        if (options.StopTokenIds.Contains(token))
            finish = FinishReason.Stop;
        else if (stopStrings.Count > 0 && MatchStopString(token, stopStrings) is { } stop)
        {
            finish = FinishReason.Stop;
            matchedStop = stop;
        }
        else if (tokens.Count >= limit)
            finish = FinishReason.Length;
    }

    private string? MatchStopString(int token, IReadOnlyList<byte[]> stopStrings)
    {
        var added = tokenBytes!(token);
        text.AddRange(added);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(text);
        foreach (var stop in stopStrings)
        {
            // Only matches that end inside the bytes just added are new.
            var from = Math.Max(0, span.Length - added.Length - stop.Length + 1);
            if (span[from..].IndexOf(stop) >= 0)
                return Encoding.UTF8.GetString(stop);
        }
        return null;
    }

    public GeneratedSequence ToSequence() => new(
        prompt, sample, tokens, logProbs, filteredLogProbs, finish ?? FinishReason.Length, matchedStop);
}
