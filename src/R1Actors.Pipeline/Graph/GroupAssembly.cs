using Akka;
using Akka.Streams.Dsl;

namespace R1Actors.Pipeline.Graph;

/// <summary>
/// Regroups scored completions, which arrive in any order from the verifier pool, into the G-completion group
/// of each prompt, emitted as soon as its last completion is scored. Partial groups held here are bounded by
/// the in-flight budget.
/// </summary>
public static class GroupAssembly
{
    public static Flow<ScoredRollout, ScoredGroup, NotUsed> Create(int groupSize, Action onGroup) =>
        Flow.Create<ScoredRollout>().StatefulSelectMany<ScoredRollout, ScoredRollout, ScoredGroup, NotUsed>(() =>
        {
            var partial = new Dictionary<long, List<ScoredRollout>>();
            return scored =>
            {
                var ordinal = scored.Rollout.Prompt.Ordinal;
                if (!partial.TryGetValue(ordinal, out var completions))
                    partial[ordinal] = completions = new List<ScoredRollout>(groupSize);
                completions.Add(scored);
                if (completions.Count < groupSize)
                    return [];
                partial.Remove(ordinal);
                onGroup();
                return [new ScoredGroup(scored.Rollout.Prompt, completions.OrderBy(c => c.Rollout.SampleIndex).ToArray())];
            };
        });
}
