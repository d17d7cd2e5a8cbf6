using R1Actors.Configuration;
using R1Actors.Pipeline.Data;
using Serilog;

namespace R1Actors.Evaluation;

/// <summary>
/// The prompts every evaluation measures (<c>train</c>'s before, during and after, and <c>eval</c>): the held-out
/// split of <c>r1.data</c>, its first <c>r1.eval.max-prompts</c> (all of it when 0).
/// </summary>
/// <param name="Source">Where the prompts came from, for the log.</param>
/// <param name="KindsPresent">The task kinds of the whole held-out data, each with where it first appears (see <see cref="IPromptDataset.KindsPresent"/>).</param>
public sealed record HeldOutSet(IReadOnlyList<Prompt> Prompts, string Source, IReadOnlyDictionary<string, string> KindsPresent)
{
    /// <summary>No held-out prompts (every evaluation is off).</summary>
    public static HeldOutSet None { get; } = new([], "none", new Dictionary<string, string>());

    public static async Task<HeldOutSet> LoadAsync(R1Settings settings, ILogger log, CancellationToken cancellationToken)
    {
        var heldOut = await PromptSources.LoadAsync(settings.Data, DataSplit.HeldOut, log, cancellationToken).ConfigureAwait(false);
        var count = settings.Eval.MaxPrompts > 0 ? Math.Min(settings.Eval.MaxPrompts, heldOut.Count) : heldOut.Count;
        return new HeldOutSet([.. Enumerable.Range(0, count).Select(heldOut.Get)], heldOut.Description, heldOut.KindsPresent);
    }
}
