using R1Actors.Rewards.Code;

namespace R1Actors.Rewards.Tests.Code;

/// <summary>
/// Problems in the shape of HumanEval (prompt prefix, <c>METADATA</c>, <c>check(candidate)</c>, tests that call the
/// program's helpers, seeded random inputs, float tolerances) and MBPP (a <c>test_list</c> of asserts that
/// use modules the program imported, sets, dicts, tuples): each correct solution scores 1 through the real
/// sandbox and the code reward, each broken one scores 0.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class HumanEvalMbppSampleTests(SandboxFixture fixture)
{
    /// <param name="Broken">Solutions that must score 0: wrong ones, and ones that game the tests.</param>
    public sealed record Problem(string Name, string? Prefix, string? EntryPoint, string[] TestCode, string Correct, params string[] Broken)
    {
        public override string ToString() => Name;
    }

    private const string Metadata = "\n\nMETADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\n\n\n";

    public static TheoryData<Problem> Problems => new(
        new Problem("HumanEval/0 has_close_elements",
            "from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    \"\"\" Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n    \"\"\"\n",
            "has_close_elements",
            [Metadata + """
                def check(candidate):
                    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
                    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
                    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True
                    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False
                    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True
                    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True
                    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False
                """],
            "    for idx, elem in enumerate(numbers):\n        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2:\n                distance = abs(elem - elem2)\n                if distance < threshold:\n                    return True\n\n    return False\n",
            "    for idx, elem in enumerate(numbers):\n        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2 and abs(elem - elem2) <= threshold / 2:\n                return True\n    return False\n"),
        new Problem("HumanEval/2 truncate_number",
            "\n\ndef truncate_number(number: float) -> float:\n    \"\"\" Return the decimal part of a positive floating point number. \"\"\"\n",
            "truncate_number",
            [Metadata + """
                def check(candidate):
                    assert candidate(3.5) == 0.5
                    assert abs(candidate(1.33) - 0.33) < 1e-6
                    assert abs(candidate(123.456) - 0.456) < 1e-6
                """],
            "    return number % 1.0\n",
            "    return round(number % 1.0, 1)\n"),
        new Problem("HumanEval/12 longest",
            "from typing import List, Optional\n\n\ndef longest(strings: List[str]) -> Optional[str]:\n    \"\"\" Out of list of strings, return the longest one. Return the first one in case of multiple\n    strings of the same length. Return None in case the input list is empty.\n    \"\"\"\n",
            "longest",
            [Metadata + """
                def check(candidate):
                    assert candidate([]) == None
                    assert candidate(['x', 'y', 'z']) == 'x'
                    assert candidate(['x', 'yyy', 'zzzz', 'www', 'kkkk', 'abc']) == 'zzzz'
                """],
            "    if not strings:\n        return None\n\n    maxlen = max(len(x) for x in strings)\n    for s in strings:\n        if len(s) == maxlen:\n            return s\n",
            "    if not strings:\n        return None\n    return sorted(strings, key=len)[-1]\n"),
        new Problem("HumanEval/20 find_closest_elements",
            "from typing import List, Tuple\n\n\ndef find_closest_elements(numbers: List[float]) -> Tuple[float, float]:\n    \"\"\" From a supplied list of numbers (of length at least two) select and return two that are the closest to each\n    other and return them in order (smaller number, larger number).\n    \"\"\"\n",
            "find_closest_elements",
            [Metadata + """
                def check(candidate):
                    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2]) == (3.9, 4.0)
                    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0]) == (5.0, 5.9)
                    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.2]) == (2.0, 2.2)
                    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0]) == (2.0, 2.0)
                    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1]) == (2.2, 3.1)
                """],
            "    closest_pair = None\n    distance = None\n    for idx, elem in enumerate(numbers):\n        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2:\n                new_distance = abs(elem - elem2)\n                if distance is None or new_distance < distance:\n                    distance = new_distance\n                    closest_pair = tuple(sorted([elem, elem2]))\n    return closest_pair\n",
            "    ordered = sorted(numbers)\n    return [ordered[0], ordered[1]]\n"),
        new Problem("HumanEval/32 find_zero (tests call the prompt's poly)",
            "import math\n\n\ndef poly(xs: list, x: float):\n    \"\"\"\n    Evaluates polynomial with coefficients xs at point x.\n    \"\"\"\n    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])\n\n\ndef find_zero(xs: list):\n    \"\"\" xs are coefficients of a polynomial. find_zero find x such that poly(x) = 0. \"\"\"\n",
            "find_zero",
            [Metadata + """
                def check(candidate):
                    import math
                    import random
                    rng = random.Random(42)
                    import copy
                    for _ in range(100):
                        ncoeff = 2 * rng.randint(1, 4)
                        coeffs = []
                        for _ in range(ncoeff):
                            coeff = rng.randint(-10, 10)
                            if coeff == 0:
                                coeff = 1
                            coeffs.append(coeff)
                        solution = candidate(copy.deepcopy(coeffs))
                        assert math.fabs(poly(coeffs, solution)) < 1e-4
                """],
            "    begin, end = -1., 1.\n    while poly(xs, begin) * poly(xs, end) > 0:\n        begin *= 2.0\n        end *= 2.0\n    while end - begin > 1e-10:\n        center = (begin + end) / 2.0\n        if poly(xs, center) * poly(xs, begin) > 0:\n            begin = center\n        else:\n            end = center\n    return begin\n",
            "    return 0.0\n",
            // A program that redefines what the prompt gave the tests.
            "    return 0.0\n\n\ndef poly(xs: list, x: float):\n    return 0.0\n"),
        new Problem("HumanEval/38 decode_cyclic (tests call the prompt's encoder)",
            "\n\ndef encode_cyclic(s: str):\n    \"\"\"\n    returns encoded string by cycling groups of three characters.\n    \"\"\"\n    groups = [s[(3 * i):min((3 * i + 3), len(s))] for i in range((len(s) + 2) // 3)]\n    groups = [(group[1:] + group[0]) if len(group) == 3 else group for group in groups]\n    return \"\".join(groups)\n\n\ndef decode_cyclic(s: str):\n    \"\"\"\n    takes as input string encoded with encode_cyclic function. Returns decoded string.\n    \"\"\"\n",
            "decode_cyclic",
            [Metadata + """
                def check(candidate):
                    from random import randint, choice
                    import string

                    letters = string.ascii_lowercase
                    for _ in range(100):
                        str = ''.join(choice(letters) for i in range(randint(10, 20)))
                        encoded_str = encode_cyclic(str)
                        assert candidate(encoded_str) == str
                """],
            "    return encode_cyclic(encode_cyclic(s))\n",
            "    return encode_cyclic(s)\n",
            // A program that redefines what the prompt gave the tests.
            "    return _seen.get(s, s)\n\n\n_seen = {}\n_original = encode_cyclic\n\n\ndef encode_cyclic(s: str):\n    out = _original(s)\n    _seen[out] = s\n    return out\n"),
        new Problem("HumanEval/53 add (random inputs)",
            "\n\ndef add(x: int, y: int):\n    \"\"\"Add two numbers x and y\"\"\"\n",
            "add",
            [Metadata + """
                def check(candidate):
                    import random

                    assert candidate(0, 1) == 1
                    assert candidate(1, 0) == 1
                    assert candidate(2, 3) == 5
                    assert candidate(5, 7) == 12
                    assert candidate(7, 5) == 12

                    for i in range(100):
                        x, y = random.randint(0, 1000), random.randint(0, 1000)
                        assert candidate(x, y) == x + y
                """],
            "    return x + y\n",
            "    return x + y if x < 900 else x\n"),
        new Problem("HumanEval/137 compare_one (int, float, str or None)",
            "\ndef compare_one(a, b):\n    \"\"\"\n    Return the larger variable in its given variable type, None if the values are equal.\n    Real numbers given as strings may use . or , as the floating point.\n    \"\"\"\n",
            "compare_one",
            ["""
                def check(candidate):
                    assert candidate(1, 2) == 2
                    assert candidate(1, 2.5) == 2.5
                    assert candidate(2, 3) == 3
                    assert candidate(5, 6) == 6
                    assert candidate(1, "2,3") == "2,3"
                    assert candidate("5,1", "6") == "6"
                    assert candidate("1", "2") == "2"
                    assert candidate("1", 1) == None
                    assert True
                """],
            "    temp_a, temp_b = a, b\n    if isinstance(temp_a, str): temp_a = temp_a.replace(',', '.')\n    if isinstance(temp_b, str): temp_b = temp_b.replace(',', '.')\n    if float(temp_a) == float(temp_b): return None\n    return a if float(temp_a) > float(temp_b) else b\n",
            "    return max(float(str(a).replace(',', '.')), float(str(b).replace(',', '.')))\n"),
        new Problem("HumanEval/151 double_the_difference",
            "\ndef double_the_difference(lst):\n    '''\n    Given a list of numbers, return the sum of squares of the numbers in the list that are odd.\n    Ignore numbers that are negative or not integers.\n    '''\n",
            "double_the_difference",
            ["""
                def check(candidate):
                    assert candidate([]) == 0 , "This prints if this assert fails 1 (good for debugging!)"
                    assert candidate([5, 4]) == 25 , "This prints if this assert fails 2 (good for debugging!)"
                    assert candidate([0.1, 0.2, 0.3]) == 0 , "This prints if this assert fails 3 (also good for debugging!)"
                    assert candidate([-10, -20, -30]) == 0 , "This prints if this assert fails 4 (also good for debugging!)"
                    assert candidate([-1, -2, 8]) == 0, "This prints if this assert fails 5 (also good for debugging!)"
                    assert candidate([0.2, 3, 5]) == 34, "This prints if this assert fails 6 (also good for debugging!)"
                    lst = list(range(-99, 100, 2))
                    odd_sum = sum([i**2 for i in lst if i%2!=0 and i > 0])
                    assert candidate(lst) == odd_sum , "This prints if this assert fails 7 (good for debugging!)"
                """],
            "    return sum([i**2 for i in lst if i > 0 and i%2!=0 and \".\" not in str(i)])\n",
            "    return sum([i**2 for i in lst if i%2!=0])\n"),
        new Problem("MBPP/2 similar_elements (sets)", null, null,
            ["assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))",
             "assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))",
             "assert set(similar_elements((11, 12, 14, 13),(17, 15, 14, 13))) == set((13, 14))"],
            "def similar_elements(test_tup1, test_tup2):\n  res = tuple(set(test_tup1) & set(test_tup2))\n  return (res) \n",
            "def similar_elements(test_tup1, test_tup2):\n  return tuple(set(test_tup1) | set(test_tup2))\n"),
        new Problem("MBPP/3 is_not_prime", null, null,
            ["assert is_not_prime(2) == False", "assert is_not_prime(10) == True", "assert is_not_prime(35) == True", "assert is_not_prime(37) == False"],
            "import math\ndef is_not_prime(n):\n    result = False\n    for i in range(2,int(math.sqrt(n)) + 1):\n        if n % i == 0:\n            result = True\n    return result\n",
            "def is_not_prime(n):\n    return n % 2 == 0\n"),
        new Problem("MBPP/4 heap_queue_largest (lists)", null, null,
            ["assert heap_queue_largest( [25, 35, 22, 85, 14, 65, 75, 22, 58],3)==[85, 75, 65]",
             "assert heap_queue_largest( [25, 35, 22, 85, 14, 65, 75, 22, 58],2)==[85, 75]",
             "assert heap_queue_largest( [25, 35, 22, 85, 14, 65, 75, 22, 58],5)==[85, 75, 65, 58, 35]"],
            "import heapq as hq\ndef heap_queue_largest(nums,n):\n  largest_nums = hq.nlargest(n, nums)\n  return largest_nums\n",
            "def heap_queue_largest(nums,n):\n  return sorted(nums)[:n]\n"),
        new Problem("MBPP/11 remove_Occ (strings)", null, null,
            ["assert remove_Occ(\"hello\",\"l\") == \"heo\"", "assert remove_Occ(\"abcda\",\"a\") == \"bcd\"", "assert remove_Occ(\"PHP\",\"P\") == \"H\""],
            "def remove_Occ(s,ch):\n    first = s.find(ch)\n    last = s.rfind(ch)\n    if first == -1:\n        return s\n    if first == last:\n        return s[:first] + s[first+1:]\n    return s[:first] + s[first+1:last] + s[last+1:]\n",
            "def remove_Occ(s,ch):\n    return s.replace(ch, \"\", 1)\n"),
        new Problem("MBPP/82 volume_sphere (math.isclose, math from the program)", null, null,
            ["assert math.isclose(volume_sphere(10), 4188.790204786391, rel_tol=0.001)",
             "assert math.isclose(volume_sphere(25), 65449.84694978735, rel_tol=0.001)",
             "assert math.isclose(volume_sphere(20), 33510.32163829113, rel_tol=0.001)"],
            "import math\ndef volume_sphere(r):\n  volume=(4/3)*math.pi*r*r*r\n  return volume\n",
            "import math\ndef volume_sphere(r):\n  return 4*math.pi*r*r\n"),
        new Problem("MBPP-style char_frequency (dicts)", null, null,
            ["assert char_frequency('abca') == {'a': 2, 'b': 1, 'c': 1}", "assert char_frequency('') == {}"],
            "def char_frequency(text):\n    counts = {}\n    for ch in text:\n        counts[ch] = counts.get(ch, 0) + 1\n    return counts\n",
            "def char_frequency(text):\n    return {ch: 1 for ch in text}\n"),
        new Problem("MBPP-style min_max (tuples of floats, None)", null, null,
            ["assert min_max([3.5, -1.25, 2]) == (-1.25, 3.5)", "assert min_max([]) is None"],
            "def min_max(values):\n    if not values:\n        return None\n    return (min(values), max(values))\n",
            "def min_max(values):\n    return (min(values), max(values)) if values else ()\n"));

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task A_correct_solution_passes_and_a_broken_one_fails(Problem problem)
    {
        var fields = new List<(string, object)> { ("test_code", problem.TestCode.Length == 1 ? problem.TestCode[0] : problem.TestCode) };
        if (problem.Prefix is not null) fields.Add(("program_prefix", problem.Prefix));
        if (problem.EntryPoint is not null) fields.Add(("entry_point", problem.EntryPoint));
        var task = new TaskSpec("code", Fields.Of([.. fields]));
        var reward = new CodeReward(fixture.Sandbox, partialCredit: false);
        var correct = await reward.ScoreAsync(task, $"```python\n{problem.Correct}```", CancellationToken.None);
        Assert.True(correct.Score == 1, $"{problem.Name}: the correct solution scored {correct.Score}: {correct.Reason}");
        foreach (var solution in problem.Broken)
        {
            var broken = await reward.ScoreAsync(task, $"```python\n{solution}```", CancellationToken.None);
            Assert.True(broken.Score == 0, $"{problem.Name}: a broken solution scored {broken.Score}:\n{solution}");
            Assert.DoesNotContain("sandbox fault", broken.Reason);
        }
    }
}
