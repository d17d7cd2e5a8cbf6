using R1Actors.Rewards;

namespace R1Actors.Simulation;

/// <summary>
/// A stand-in for a CPU-bound verifier: occupies its thread for the configured time per completion, then
/// scores 1 when the text inside &lt;answer&gt; equals the task's reference, else 0 with the reason.
/// </summary>
public sealed class SimulatedVerifier(TimeSpan costPerCompletion) : IRewardFunction
{
    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken)
    {
        SimulatedWork.Spend(costPerCompletion);
        var start = completion.IndexOf("<answer>", StringComparison.Ordinal);
        var end = completion.IndexOf("</answer>", StringComparison.Ordinal);
        var answer = start >= 0 && end > start ? completion[(start + "<answer>".Length)..end].Trim() : null;
        var reference = SimulatedSampler.Reference(new Prompt("", new TextPrompt(""), task));
        var correct = answer == reference;
        var components = new Dictionary<string, double> { ["answer"] = correct ? 1 : 0 };
        return ValueTask.FromResult(new RewardOutcome(correct ? 1 : 0, components, correct ? null : $"answer '{answer}' is not '{reference}'"));
    }
}
