namespace R1Actors.Pipeline.Cluster;

/// <summary>One sampler node's figures for a step: rollouts it returned since the last step, requests it holds now, its weights version.</summary>
public sealed record SamplerNodeFigures(long RolloutsSampled, int RequestsInHand, long PolicyVersion);

/// <summary>
/// What the learner's pool knows of each sampler node, for the Step event (<c>SamplerNodes</c>): written by the pool,
/// read by the learner's metrics once a step. A node that leaves keeps its last step's rollouts until they are read.
/// </summary>
public sealed class SamplerNodeLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Rollouts, int InHand, long Version, bool Gone)> _nodes = new(StringComparer.Ordinal);

    public void Joined(string node)
    {
        lock (_gate)
            _nodes[node] = (_nodes.GetValueOrDefault(node).Rollouts, 0, -1, false);
    }

    public void Sampled(string node, int rollouts) => Update(node, n => n with { Rollouts = n.Rollouts + rollouts });

    public void InHand(string node, int requests) => Update(node, n => n with { InHand = requests });

    public void Version(string node, long version) => Update(node, n => n with { Version = version });

    public void Left(string node) => Update(node, n => n with { InHand = 0, Gone = true });

    /// <summary>Every node's figures since the last call; nodes gone since are reported once more, then forgotten.</summary>
    public IReadOnlyDictionary<string, SamplerNodeFigures> TakeStep()
    {
        lock (_gate)
        {
            var figures = _nodes.ToDictionary(kv => kv.Key, kv => new SamplerNodeFigures(kv.Value.Rollouts, kv.Value.InHand, kv.Value.Version), StringComparer.Ordinal);
            foreach (var (node, state) in _nodes.ToList())
            {
                if (state.Gone)
                    _nodes.Remove(node);
                else
                    _nodes[node] = state with { Rollouts = 0 };
            }
            return figures;
        }
    }

    private void Update(string node, Func<(long Rollouts, int InHand, long Version, bool Gone), (long Rollouts, int InHand, long Version, bool Gone)> change)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(node, out var state))
                _nodes[node] = change(state);
        }
    }
}
