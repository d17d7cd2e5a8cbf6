namespace R1Actors.Rewards.Format;

/// <summary>How strictly the R1-Zero layout is judged (HOCON <c>r1.rewards.format.strictness</c>).</summary>
public interface IFormatRule
{
    /// <summary>The setting's value: <c>strict</c>, <c>standard</c> or <c>lenient</c>.</summary>
    string Name { get; }

    /// <summary>What is wrong with a completion whose four tags are present once each and in order; null when nothing is.</summary>
    string? Check(TagLayout layout);
}

/// <summary>Where the four tags sit in a completion, and the text around them.</summary>
public sealed record TagLayout(string Before, string Think, string Between, string Answer, string After);

/// <summary>
/// The R1-Zero format component: one <c>&lt;think&gt;…&lt;/think&gt;</c>, then one <c>&lt;answer&gt;…&lt;/answer&gt;</c>,
/// and nothing after. Every rule first demands each tag exactly once and in that order, so repeated or
/// nested tags (a known reward hack: many answer blocks, one of which may be right) score 0.
/// </summary>
/// <example><c>"&lt;think&gt;2+2&lt;/think&gt; &lt;answer&gt;4&lt;/answer&gt;"</c> → 1; the same followed by a second answer block → 0.</example>
public sealed class FormatReward(IFormatRule rule, bool promptOpensThink) : IRewardFunction
{
    private static readonly string[] Tags = ["<think>", "</think>", "<answer>", "</answer>"];

    public IFormatRule Rule { get; } = rule;

    public ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(completion));

    public RewardOutcome Score(string completion)
    {
        var text = promptOpensThink ? "<think>" + completion : completion;
        var positions = new int[Tags.Length];
        for (var i = 0; i < Tags.Length; i++)
        {
            var first = text.IndexOf(Tags[i], StringComparison.Ordinal);
            if (first < 0) return Outcomes.Fail(RewardComponents.Format, $"missing {Tags[i]}");
            if (text.IndexOf(Tags[i], first + 1, StringComparison.Ordinal) >= 0) return Outcomes.Fail(RewardComponents.Format, $"{Tags[i]} appears more than once");
            if (i > 0 && first < positions[i - 1]) return Outcomes.Fail(RewardComponents.Format, $"{Tags[i]} comes before {Tags[i - 1]}");
            positions[i] = first;
        }
        var layout = new TagLayout(
            text[..positions[0]],
            text[(positions[0] + Tags[0].Length)..positions[1]],
            text[(positions[1] + Tags[1].Length)..positions[2]],
            text[(positions[2] + Tags[2].Length)..positions[3]],
            text[(positions[3] + Tags[3].Length)..]);
        var problem = Rule.Check(layout);
        return problem is null ? Outcomes.Pass(RewardComponents.Format) : Outcomes.Fail(RewardComponents.Format, problem);
    }

    /// <summary>The rule named by the setting, or null for an unknown name.</summary>
    public static IFormatRule? RuleNamed(string name) => name switch
    {
        "strict" => new StrictFormat(),
        "standard" => new StandardFormat(),
        "lenient" => new LenientFormat(),
        _ => null,
    };
}

/// <summary>Only whitespace outside the two blocks, and neither block empty.</summary>
public sealed class StrictFormat : IFormatRule
{
    public string Name => "strict";

    public string? Check(TagLayout layout) =>
        layout.Before.Trim().Length > 0 ? "text before <think>"
        : new StandardFormat().Check(layout);
}

/// <summary>Anything may precede <c>&lt;think&gt;</c>; only whitespace between the blocks and after the answer; neither block empty.</summary>
public sealed class StandardFormat : IFormatRule
{
    public string Name => "standard";

    public string? Check(TagLayout layout) =>
        layout.Think.Trim().Length == 0 ? "empty <think> block"
        : layout.Between.Trim().Length > 0 ? "text between </think> and <answer>"
        : new LenientFormat().Check(layout);
}

/// <summary>Text may sit between the blocks; the answer must not be empty and nothing may follow it.</summary>
public sealed class LenientFormat : IFormatRule
{
    public string Name => "lenient";

    public string? Check(TagLayout layout) =>
        layout.Answer.Trim().Length == 0 ? "empty <answer> block"
        : layout.After.Trim().Length > 0 ? "text after </answer>"
        : null;
}
