using System.Text.Json;

namespace R1Actors.Rewards.Code;

/// <summary>
/// The <c>code</c> answer component: the program (the last fenced Python block, else the
/// <c>&lt;answer&gt;</c> body, else the whole completion) runs in the sandbox against the task's
/// <c>tests</c> (<c>[{"stdin": …, "stdout": …}]</c>) and/or <c>test_code</c> (assert-style, HumanEval's
/// <c>check(candidate)</c> with <c>entry_point</c>). An optional <c>program_prefix</c> (HumanEval's prompt: the
/// signature and docstring the completion continues) is put before the program. 1 when every test passes; with partial credit, the
/// fraction of stdin/stdout cases passed (the test code counting as one). A sandbox fault scores 0 with
/// its reason; the program's own failure is never retried.
/// </summary>
public sealed class CodeReward(ICodeSandbox sandbox, bool partialCredit, int maxProgramChars = 65_536) : IRewardFunction
{
    public async ValueTask<RewardOutcome> ScoreAsync(TaskSpec task, string completion, CancellationToken cancellationToken)
    {
        var cases = ReadCases(task, out var problem);
        var testCode = problem is null ? ReadTestCode(task, out problem) : "";
        if (problem is not null) return Outcomes.Fail(RewardComponents.Answer, $"invalid task: {problem}");
        task.TryGetText("entry_point", out var entryPoint, out _);
        if (cases.Count == 0 && testCode.Length == 0) return Outcomes.Fail(RewardComponents.Answer, "invalid task: it has neither 'tests' nor 'test_code'");
        var program = ProgramExtractor.Extract(completion);
        if (program.Trim().Length == 0) return Outcomes.Fail(RewardComponents.Answer, "no program found in the completion");
        var hasPrefix = task.TryGetText("program_prefix", out var prefix, out _) && prefix.Length > 0;
        if (hasPrefix) program = prefix + "\n" + program;
        if (program.Length > maxProgramChars) return Outcomes.Fail(RewardComponents.Answer, $"program is longer than {maxProgramChars} characters");
        var results = new List<ExecutionResult>();
        if (cases.Count > 0) results.Add(await sandbox.RunAsync(new SandboxJob(program, cases, null, null), cancellationToken).ConfigureAwait(false));
        if (testCode.Length > 0)
        {
            var job = new SandboxJob(program, [], testCode, entryPoint.Length > 0 ? entryPoint : null, TrustedPrefix: hasPrefix ? prefix : null);
            results.Add(await sandbox.RunAsync(job, cancellationToken).ConfigureAwait(false));
        }
        return Score(results);
    }

    private RewardOutcome Score(List<ExecutionResult> results)
    {
        var reason = results.Select(r => r.Reason).FirstOrDefault(r => r is not null);
        if (results.All(r => r.Passed)) return Outcomes.Pass(RewardComponents.Answer);
        if (!partialCredit || results.Any(r => r.InfrastructureFault is not null)) return Outcomes.Fail(RewardComponents.Answer, reason!);
        var units = results.Sum(r => r.Tests is null ? r.Cases.Count : 1);
        var passed = results.Sum(r => r.Tests is null ? r.Cases.Count(c => c.Passed) : r.Tests.Passed ? 1 : 0);
        return Outcomes.Partial(RewardComponents.Answer, units == 0 ? 0 : (double)passed / units, reason);
    }

    /// <summary>The test program: text, or a list of lines such as MBPP's <c>test_list</c> of asserts, joined by newlines.</summary>
    /// <example><c>["assert f(1) == 2", "assert f(2) == 3"]</c> → <c>"assert f(1) == 2\nassert f(2) == 3"</c>.</example>
    private static string ReadTestCode(TaskSpec task, out string? problem)
    {
        problem = null;
        if (!task.Fields.TryGetValue("test_code", out var code)) return "";
        switch (code.ValueKind)
        {
            case JsonValueKind.String: return code.GetString()!;
            case JsonValueKind.Array when code.EnumerateArray().All(line => line.ValueKind == JsonValueKind.String):
                return string.Join("\n", code.EnumerateArray().Select(line => line.GetString()));
            default:
                problem = "'test_code' must be a program or a list of lines (such as asserts)";
                return "";
        }
    }

    private static List<StdioCase> ReadCases(TaskSpec task, out string? problem)
    {
        problem = null;
        var cases = new List<StdioCase>();
        if (!task.Fields.TryGetValue("tests", out var tests) || tests.ValueKind == JsonValueKind.Null) return cases;
        if (tests.ValueKind != JsonValueKind.Array) { problem = "'tests' must be a list of {\"stdin\": …, \"stdout\": …}"; return cases; }
        var index = 0;
        foreach (var test in tests.EnumerateArray())
        {
            index++;
            if (test.ValueKind != JsonValueKind.Object
                || !test.TryGetProperty("stdin", out var stdin) || stdin.ValueKind != JsonValueKind.String
                || !test.TryGetProperty("stdout", out var stdout) || stdout.ValueKind != JsonValueKind.String)
            {
                problem = $"tests[{index - 1}] must be {{\"stdin\": string, \"stdout\": string}}";
                return cases;
            }
            cases.Add(new StdioCase(stdin.GetString()!, stdout.GetString()!));
        }
        return cases;
    }
}

/// <summary>
/// Finds the program in a completion: the last fenced block tagged Python, else the last untagged fenced block
/// (an untagged block after the code is usually its output), else the answer body, else everything.
/// </summary>
public static class ProgramExtractor
{
    private static readonly string[] PythonTags = ["python", "py", "python3"];

    /// <example><c>"Here:\n```python\nprint(1)\n```\n```\n1\n```"</c> → <c>"print(1)\n"</c>.</example>
    public static string Extract(string completion)
    {
        var segments = completion.Split("```");
        foreach (var tags in new[] { PythonTags, [""] })
        {
            for (var i = segments.Length % 2 == 1 ? segments.Length - 2 : segments.Length - 3; i >= 1; i -= 2)
            {
                var block = segments[i];
                var newline = block.IndexOf('\n');
                var tag = (newline < 0 ? block : block[..newline]).Trim().ToLowerInvariant();
                if (tags.Contains(tag)) return newline < 0 ? "" : block[(newline + 1)..];
            }
        }
        return MathAnswers.AnswerExtractor.AnswerTagBody(completion) ?? completion;
    }
}
