using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

[Collection(SandboxCollection.Name)]
public sealed class CodeRewardTests(SandboxFixture fixture)
{
    [Theory]
    [InlineData("Here:\n```python\nprint(1)\n```\nand again\n```python\nprint(2)\n```", "print(2)\n")]
    [InlineData("```py\nx = 1\n```\n```text\nnot code\n```", "x = 1\n")]
    [InlineData("<think>plan</think><answer>print(3)</answer>", "print(3)")]
    [InlineData("print(4)", "print(4)")]
    [InlineData("```python\nprint(5)\n```\n```python\nunclosed", "print(5)\n")]
    [InlineData("```python\nprint(6)\n```\nIt prints:\n```\n6\n```", "print(6)\n")]
    [InlineData("```\nprint(7)\n```", "print(7)\n")]
    public void The_program_is_the_last_python_block_else_the_answer_else_everything(string completion, string expected)
    {
        Assert.Equal(expected, ProgramExtractor.Extract(completion));
    }

    [Fact]
    public async Task Stdio_task_scores_one_only_when_every_case_passes()
    {
        var reward = new CodeReward(fixture.Sandbox, partialCredit: false);
        var task = new TaskSpec("code", Fields.Of(("tests", new[] { new { stdin = "2 3\n", stdout = "5\n" }, new { stdin = "1 1\n", stdout = "2\n" } })));
        var right = await reward.ScoreAsync(task, "```python\na, b = map(int, input().split())\nprint(a + b)\n```", CancellationToken.None);
        Assert.Equal(1, right.Score);
        var wrong = await reward.ScoreAsync(task, "```python\nprint(5)\n```", CancellationToken.None);
        Assert.Equal(0, wrong.Score);
        Assert.Contains("case 2 of 2 wrong-answer", wrong.Reason);
    }

    [Fact]
    public async Task Partial_credit_scores_the_fraction_of_cases_passed()
    {
        var reward = new CodeReward(fixture.Sandbox, partialCredit: true);
        var task = new TaskSpec("code", Fields.Of(("tests", new[] { new { stdin = "", stdout = "5" }, new { stdin = "", stdout = "6" } })));
        var outcome = await reward.ScoreAsync(task, "print(5)", CancellationToken.None);
        Assert.Equal(0.5, outcome.Score);
    }

    [Fact]
    public async Task Test_code_and_stdio_cases_must_both_pass()
    {
        var reward = new CodeReward(fixture.Sandbox, partialCredit: false);
        var task = new TaskSpec("code", Fields.Of(
            ("tests", new[] { new { stdin = "", stdout = "ready" } }),
            ("test_code", "assert double(4) == 8\n")));
        Assert.Equal(1, (await reward.ScoreAsync(task, "def double(x):\n    return 2 * x\nprint('ready')\n", CancellationToken.None)).Score);
        Assert.Equal(0, (await reward.ScoreAsync(task, "def double(x):\n    return 2 * x\nprint('nope')\n", CancellationToken.None)).Score);
    }

    [Fact]
    public async Task An_mbpp_test_list_of_asserts_is_run_as_one_test_program()
    {
        var task = new TaskSpec("code", Fields.Of(("test_code", new[] { "assert add(1, 2) == 3", "assert add(2, 2) == 4" })));
        var reward = new CodeReward(fixture.Sandbox, false);
        var right = await reward.ScoreAsync(task, "```python\ndef add(a, b):\n    return a + b\n```", CancellationToken.None);
        Assert.True(right.Score == 1, right.Reason);
        var wrong = await reward.ScoreAsync(task, "```python\ndef add(a, b):\n    return 3\n```", CancellationToken.None);
        Assert.Equal(0, wrong.Score);
    }

    [Fact]
    public async Task Test_code_that_is_neither_text_nor_lines_is_an_invalid_task()
    {
        var task = new TaskSpec("code", Fields.Of(("test_code", new[] { 1, 2 })));
        var outcome = await new CodeReward(fixture.Sandbox, false).ScoreAsync(task, "print(1)", CancellationToken.None);
        Assert.Equal(0, outcome.Score);
        Assert.Contains("'test_code' must be a program or a list of lines", outcome.Reason);
    }

    [Fact]
    public async Task A_humaneval_prompt_prefix_is_continued_by_the_completion()
    {
        var task = new TaskSpec("code", Fields.Of(
            ("program_prefix", "def triple(x):\n    \"\"\"Three times x.\"\"\"\n"),
            ("test_code", "def check(candidate):\n    assert candidate(2) == 6\n"),
            ("entry_point", "triple")));
        var outcome = await new CodeReward(fixture.Sandbox, false).ScoreAsync(task, "    return 3 * x\n", CancellationToken.None);
        Assert.True(outcome.Score == 1, outcome.Reason);
    }

    [Fact]
    public async Task A_task_without_tests_scores_zero_and_says_so()
    {
        var outcome = await new CodeReward(fixture.Sandbox, false).ScoreAsync(new TaskSpec("code", Fields.Of(("x", 1))), "print(1)", CancellationToken.None);
        Assert.Equal(0, outcome.Score);
        Assert.Contains("neither 'tests' nor 'test_code'", outcome.Reason);
    }

    [Fact]
    public async Task A_programs_traceback_is_the_one_python_would_print_without_the_sandboxs_paths()
    {
        // The sandbox's own frames live in a per-process scratch folder: a reason holding them would differ run to run.
        var task = new TaskSpec("code", Fields.Of(("tests", new[] { new { stdin = "", stdout = "1" } })));
        var outcome = await new CodeReward(fixture.Sandbox, false).ScoreAsync(task, "def f():\n    raise ValueError('v')\nf()\n", CancellationToken.None);
        Assert.Contains("File \"program.py\", line 3", outcome.Reason);
        Assert.Contains("ValueError: v", outcome.Reason);
        Assert.DoesNotContain(fixture.Environment.ScratchDirectory, outcome.Reason);
        Assert.DoesNotContain("runner.py", outcome.Reason);
    }
}
