namespace R1Actors.Rewards.Tests.Code;

/// <summary>Test-code runs pass only when the program's own return values satisfy the assertions: it cannot read the tests, replace what they read, or cut them short.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxFakeSuccessTests(SandboxFixture fixture)
{
    private const string AddTests = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n";

    [Fact]
    public async Task Correct_function_passes_assert_style_tests()
    {
        var result = await fixture.RunTests("def add(a, b):\n    return a + b\n", AddTests);
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task Wrong_function_fails_with_the_assertion_line()
    {
        var result = await fixture.RunTests("def add(a, b):\n    return a - b\n", AddTests);
        Assert.False(result.Passed);
        Assert.Contains("line 1", result.Reason);
    }

    [Fact]
    public async Task Humaneval_check_is_called_with_the_entry_point()
    {
        var test = "def check(candidate):\n    assert candidate([3, 1, 2]) == [1, 2, 3]\n    assert candidate([]) == []\n";
        Assert.True((await fixture.RunTests("def sort_list(xs):\n    return sorted(xs)\n", test, "sort_list")).Passed);
        Assert.False((await fixture.RunTests("def sort_list(xs):\n    return xs\n", test, "sort_list")).Passed);
    }

    [Fact]
    public async Task Exiting_zero_before_the_tests_does_not_pass()
    {
        var result = await fixture.RunTests("import sys\nsys.exit(0)\n", AddTests);
        Assert.False(result.Passed);
        var hardExit = await fixture.RunTests("import os\nos._exit(0)\n", AddTests);
        Assert.False(hardExit.Passed);
    }

    [Fact]
    public async Task Printing_passed_does_not_pass()
    {
        var program = "print('PASSED')\nprint('{\"tests\": {\"passed\": true, \"status\": \"passed\", \"detail\": \"\"}}')\nimport os\nos._exit(0)\n";
        var result = await fixture.RunTests(program, AddTests);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task An_object_whose_eq_is_always_true_does_not_pass()
    {
        var program = "class Anything:\n    def __eq__(self, other):\n        return True\n\ndef add(a, b):\n    return Anything()\n";
        var result = await fixture.RunTests(program, AddTests);
        Assert.False(result.Passed);
        var subclass = "class Sneaky(int):\n    def __eq__(self, other):\n        return True\n\ndef add(a, b):\n    return Sneaky(0)\n";
        Assert.False((await fixture.RunTests(subclass, AddTests)).Passed);
    }

    [Fact]
    public async Task Shadowing_builtins_or_exiting_inside_a_call_does_not_pass()
    {
        var program = "def sorted(x):\n    return [1, 2, 3]\n\ndef add(a, b):\n    import sys\n    sys.exit(0)\n";
        var result = await fixture.RunTests(program, "assert sorted([3, 2, 1]) == [1, 2, 3]\nassert add(1, 2) == 3\n");
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task Exceptions_the_tests_expect_are_seen_as_the_same_builtin_type()
    {
        var test = "try:\n    parse('x')\nexcept ValueError:\n    pass\nelse:\n    assert False, 'no error'\nassert parse('4') == 4\n";
        Assert.True((await fixture.RunTests("def parse(s):\n    return int(s)\n", test)).Passed);
    }

    [Fact]
    public async Task Modules_the_program_imported_are_visible_to_mbpp_style_tests()
    {
        var program = "import math\n\ndef area(r):\n    return math.pi * r * r\n";
        var result = await fixture.RunTests(program, "assert math.isclose(area(2), 12.566, rel_tol=0.001)\n");
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task Tests_that_never_call_the_program_do_not_pass()
    {
        var result = await fixture.RunTests("def add(a, b):\n    return a + b\n", "assert 1 + 1 == 2\n");
        Assert.False(result.Passed);
        Assert.Contains("never called", result.Reason);
    }

    [Fact]
    public async Task Stdio_case_passes_only_on_matching_output_and_clean_exit()
    {
        Assert.True((await fixture.RunStdio("print(int(input()) * 2)\n", "21\n", "42\n")).Passed);
        Assert.False((await fixture.RunStdio("print(int(input()) * 2)\nraise SystemExit(1)\n", "21\n", "42\n")).Passed);
        Assert.False((await fixture.RunStdio("print(41)\n", "21\n", "42\n")).Passed);
    }

    [Fact]
    public async Task An_exception_arrives_in_the_tests_as_its_nearest_builtin_kind()
    {
        // UnicodeDecodeError is a ValueError (it cannot be built from a message alone): `except TypeError` must not catch it.
        var typeErrorTest = "assert f(2) == 4\ntry:\n    f('a')\n    assert False\nexcept TypeError:\n    pass\n";
        var unicode = "def f(x):\n    if isinstance(x, str):\n        raise UnicodeDecodeError('utf-8', b'', 0, 1, 'x')\n    return 2 * x\n";
        Assert.False((await fixture.RunTests(unicode, typeErrorTest)).Passed);
        // A subclass the program defines reaches `except ValueError` as a ValueError.
        var valueErrorTest = "assert f(2) == 4\ntry:\n    f(-1)\n    assert False\nexcept ValueError:\n    pass\n";
        var own = "class Negative(ValueError):\n    pass\ndef f(x):\n    if x < 0:\n        raise Negative('negative')\n    return 2 * x\n";
        var result = await fixture.RunTests(own, valueErrorTest);
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task An_assertion_the_program_raises_is_reported_at_the_test_codes_line()
    {
        var result = await fixture.RunTests("def f(x):\n    raise AssertionError('no')\n", "x = 1\nassert f(1) == 2\n");
        Assert.False(result.Passed);
        Assert.Contains("test_code line 2", result.Reason);
    }

    [Fact]
    public async Task Hidden_tests_cannot_be_read_by_the_program()
    {
        var marker = $"R1HIDDEN{Guid.NewGuid():N}";
        var program = """
            import os
            FOUND = []
            needle = "R1HIDDEN"
            for pid in [p for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid())]:
                for name in ("cmdline", "environ", "mem"):
                    try:
                        with open(f"/proc/{pid}/{name}", "rb") as f:
                            if needle.encode() in f.read(1 << 20):
                                FOUND.append(f"{pid}/{name}")
                    except OSError:
                        pass
                try:
                    for fd in os.listdir(f"/proc/{pid}/fd"):
                        try:
                            with open(f"/proc/{pid}/fd/{fd}", "rb") as f:
                                if needle.encode() in f.read(1 << 20):
                                    FOUND.append(f"{pid}/fd/{fd}")
                        except OSError:
                            pass
                except OSError:
                    pass
            for folder in ("/tmp", ".", "/work", "/dev/shm"):
                try:
                    for entry in os.listdir(folder):
                        try:
                            if needle in open(os.path.join(folder, entry), errors="replace").read():
                                FOUND.append(entry)
                        except OSError:
                            pass
                except OSError:
                    pass

            def leak():
                return "found " + ",".join(FOUND) if FOUND else "hidden"
            """;
        var result = await fixture.RunTests(program, $"# {marker}\nassert leak() == 'hidden'\n");
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task A_program_cannot_put_its_own_builtins_under_the_tests()
    {
        // The program rewrites the runner's answer to the tester's "names" request, offering its own abs.
        var program = """
            import runner
            _answer = runner.answer
            def abs(x):
                return 0
            def patched(module, request):
                reply = _answer(module, request)
                if request.get("op") == "names":
                    reply["names"]["abs"] = ["callable"]
                return reply
            runner.answer = patched
            def f(x):
                return -12345
            """;
        var result = await fixture.RunTests(program, "assert abs(f(2) - 3) < 1e-9\n");
        Assert.False(result.Passed, "a wrong f passed by shadowing abs");
        Assert.Null(result.InfrastructureFault);
    }

    [Fact]
    public async Task A_program_cannot_swap_the_module_the_tests_read()
    {
        // It imports math but tells the tester that "math" is cmath: the tester reads the program's imports itself.
        var program = """
            import math
            import runner
            _answer = runner.answer
            def patched(module, request):
                reply = _answer(module, request)
                if request.get("op") == "names" and "math" in reply["names"]:
                    reply["names"]["math"] = ["module", "cmath"]
                return reply
            runner.answer = patched
            def f(x):
                return x
            """;
        var result = await fixture.RunTests(program, "assert math.floor(f(2.5)) == 2\n");
        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task Raising_stop_iteration_does_not_end_the_tests_loops_early()
    {
        var test = "def check(candidate):\n    assert all(map(lambda c: candidate(c[0]) == c[1], [(1, 2), (2, 4)]))\n    for got, want in zip(map(candidate, [1, 2]), [2, 4]):\n        assert got == want\n";
        var result = await fixture.RunTests("def f(x):\n    raise StopIteration\n", test, "f");
        Assert.False(result.Passed, "a function that only raises StopIteration passed");
        Assert.True((await fixture.RunTests("def f(x):\n    return 2 * x\n", test, "f")).Passed);
    }
}
