using Akka;
using Akka.Streams.Dsl;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// Sampler batches in deterministic mode: cut by what was admitted, never by a clock. Which prompts share a
/// batch changes a completion's numbers (padding, matrix shapes, rows dropped as they finish) and so its
/// behaviour log-probabilities and the weights trained on them; with <c>batch-linger</c>'s timer that sharing
/// would depend on how fast prompts happened to be admitted.
/// <para>
/// A batch closes when it holds prompts-per-batch prompts, when its last prompt took the last free in-flight
/// slot (nothing can join it before the learner steps), or when the prompts end. With max-staleness 0 and no
/// group filter, slots come back B at a time at the end of each step, so each step's B prompts are cut the same
/// way in every run: prompts-per-batch at a time, then the rest. A group filter (dynamic sampling) hands slots
/// back one at a time, as groups are left out, at moments no run can repeat; every prompt is then its own batch.
/// </para>
/// </summary>
internal static class DeterministicBatching
{
    /// <summary>An admitted prompt, or (null) the end of the prompts; <see cref="ClosesBatch"/> ends the batch it joins.</summary>
    private sealed record Admitted(IssuedPrompt? Prompt, bool ClosesBatch);

    public static Flow<IssuedPrompt, IReadOnlyList<IssuedPrompt>, NotUsed> Create(int promptsPerBatch, GraphParts parts) =>
        PipelineGraph.Admission(parts, prompt => new Admitted(prompt, parts.GroupsFiltered || parts.Budget.Available == 0))
            .Concat(Source.Single(new Admitted(null, ClosesBatch: true)))
            .StatefulSelectMany<IssuedPrompt, Admitted, IReadOnlyList<IssuedPrompt>, NotUsed>(() =>
            {
                var batch = new List<IssuedPrompt>(promptsPerBatch);
                return admitted =>
                {
                    if (admitted.Prompt is not null)
                        batch.Add(admitted.Prompt);
                    if (batch.Count == 0 || (batch.Count < promptsPerBatch && !admitted.ClosesBatch))
                        return [];
                    IReadOnlyList<IssuedPrompt> closed = [.. batch];
                    batch.Clear();
                    return [closed];
                };
            });
}
