using System.Text.Json;

namespace R1Actors.Pipeline.Data;

/// <summary>Ranges of the countdown generator (<c>r1.data.countdown</c>).</summary>
public sealed record CountdownOptions(int Count, int MinNumbers, int MaxNumbers, int MaxNumber, int MinTarget, int MaxTarget);

/// <summary>
/// Countdown problems (task <c>countdown</c>, fields <c>numbers</c> and <c>target</c>): reach the target with
/// + − × ÷ using each number once. Every target is reachable by construction: the numbers are combined in a
/// random order with random operations (subtraction kept non-negative, division only when exact), and draws
/// whose result falls outside [min-target, max-target] are redrawn.
/// </summary>
public sealed class CountdownGenerator(CountdownOptions options, ulong seed, HeldOutPartition partition, DataSplit split)
    : GeneratedDataset("countdown", TaskKinds.Countdown, options.Count, seed, partition, split)
{
    private const int MaxAttempts = 10_000;

    protected override Prompt Generate(ref SplitMix64 random, string id)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var numbers = new int[random.NextInclusive(options.MinNumbers, options.MaxNumbers)];
            for (var i = 0; i < numbers.Length; i++)
                numbers[i] = random.NextInclusive(1, options.MaxNumber);
            var target = Combine(numbers, ref random);
            if (target >= options.MinTarget && target <= options.MaxTarget)
                return ToPrompt(id, numbers, (int)target);
        }
        throw new InvalidOperationException(
            $"r1.data.countdown: no target in [{options.MinTarget}, {options.MaxTarget}] after {MaxAttempts} draws; widen min-target/max-target or raise max-number");
    }

    private static long Combine(int[] numbers, ref SplitMix64 random)
    {
        var pool = numbers.Select(n => (long)n).ToList();
        while (pool.Count > 1)
        {
            var a = Take(pool, ref random);
            var b = Take(pool, ref random);
            pool.Add(random.NextInt(4) switch
            {
                0 => a + b,
                1 => Math.Abs(a - b),
                2 => a * b,
                _ => b != 0 && a % b == 0 ? a / b : a + b,
            });
        }
        return pool[0];
    }

    private static long Take(List<long> pool, ref SplitMix64 random)
    {
        var index = random.NextInt(pool.Count);
        var value = pool[index];
        pool.RemoveAt(index);
        return value;
    }

    private static Prompt ToPrompt(string id, int[] numbers, int target)
    {
        var listed = string.Join(", ", numbers);
        var text = $"Using the numbers [{listed}], create an equation that equals {target}. " +
                   "You can use basic arithmetic operations (+, -, *, /) and each number must be used exactly once. " +
                   "Show your reasoning in <think> </think> tags and give the final equation in <answer> </answer> tags, " +
                   "for example <answer> (1 + 2) / 3 </answer>.";
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["numbers"] = JsonSerializer.SerializeToElement(numbers),
            ["target"] = JsonSerializer.SerializeToElement(target),
        };
        return new Prompt(id, new TextPrompt(text), new TaskSpec(TaskKinds.Countdown, fields));
    }
}
