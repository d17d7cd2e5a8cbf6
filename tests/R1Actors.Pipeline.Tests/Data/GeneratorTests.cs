using System.Numerics;
using System.Text.RegularExpressions;
using R1Actors.Pipeline.Data;

namespace R1Actors.Pipeline.Tests.Data;

public sealed partial class GeneratorTests
{
    private static readonly CountdownOptions Countdown = new(Count: 300, MinNumbers: 3, MaxNumbers: 4, MaxNumber: 50, MinTarget: 10, MaxTarget: 100);

    [Fact]
    public void Countdown_targets_are_in_range_and_reachable_with_every_number_once()
    {
        var generator = new CountdownGenerator(Countdown, 11, new HeldOutPartition(0.05), DataSplit.Training);

        for (var i = 0; i < 60; i++)
        {
            var task = generator.Get(i).Task;
            Assert.Equal("countdown", task.Kind);
            var numbers = task.Fields["numbers"].EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var target = task.Fields["target"].GetInt32();
            Assert.InRange(numbers.Length, 3, 4);
            Assert.All(numbers, n => Assert.InRange(n, 1, 50));
            Assert.InRange(target, 10, 100);
            Assert.True(Reachable(numbers.Select(n => (double)n).ToList(), target), $"{string.Join(",", numbers)} cannot reach {target}");
        }
    }

    [Fact]
    public void Generators_give_the_same_problem_for_the_same_seed_and_index_and_others_for_another_seed()
    {
        var a = new CountdownGenerator(Countdown, 11, new HeldOutPartition(0.05), DataSplit.Training);
        var b = new CountdownGenerator(Countdown, 11, new HeldOutPartition(0.05), DataSplit.Training);
        var c = new CountdownGenerator(Countdown, 12, new HeldOutPartition(0.05), DataSplit.Training);

        Assert.Equal(Texts(a, 20), Texts(b, 20));
        Assert.NotEqual(Texts(a, 20), Texts(c, 20));
        Assert.Equal(Text(a.Get(17)), Text(a.Get(17)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Arithmetic_references_are_the_exact_result_reversed_when_asked(bool reversed)
    {
        var options = new ArithmeticOptions(500, 2, 5, ArithmeticOperation.All, reversed);
        var generator = new ArithmeticGenerator(options, 3, new HeldOutPartition(0.05), DataSplit.Training);

        for (var i = 0; i < 100; i++)
        {
            var prompt = generator.Get(i);
            Assert.Equal("exact", prompt.Task.Kind);
            var match = Question().Match(Text(prompt));
            Assert.True(match.Success, Text(prompt));
            var (a, b) = (BigInteger.Parse(match.Groups[1].Value), BigInteger.Parse(match.Groups[3].Value));
            Assert.InRange(match.Groups[1].Value.Length, 2, 5);
            Assert.InRange(match.Groups[3].Value.Length, 2, 5);
            var result = match.Groups[2].Value switch { "+" => a + b, "-" => a - b, _ => a * b };
            Assert.True(result >= 0);
            var expected = result.ToString();
            if (reversed)
                expected = new string(expected.Reverse().ToArray());
            Assert.Equal(expected, prompt.Task.Fields["reference"].GetString());
            Assert.Equal(reversed, Text(prompt).Contains("reverse order", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_carry_trace_works_each_column_and_ends_with_the_reversed_sum()
    {
        Assert.Equal("7+8=15,5+6+1=12,4+9+1=14,>5241", CarryTrace.Write([457, 968]));
        Assert.Equal("3+4=7,>7", CarryTrace.Write([3, 4]));
        Assert.Equal("9+9+9=27,9+2=11,>711", CarryTrace.Write([9, 99, 9]));   // 117: a short operand stops adding
        var options = new ArithmeticOptions(500, 1, 5, [ArithmeticOperation.Add], false, Trace: true, MinOperands: 2, MaxOperands: 4);
        var generator = new ArithmeticGenerator(options, 3, new HeldOutPartition(0.05), DataSplit.Training);
        var lengths = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var prompt = generator.Get(i);
            var operands = Text(prompt).TrimEnd('=').Split('+').Select(BigInteger.Parse).ToArray();
            Assert.InRange(operands.Length, 2, 4);
            var trace = prompt.Task.Fields["trace"].GetString()!;
            var answer = trace[(trace.LastIndexOf('>') + 1)..];
            Assert.Equal(new string([.. operands.Aggregate(BigInteger.Add).ToString().Reverse()]), answer);
            Assert.Equal(answer, prompt.Task.Fields["reference"].GetString());
            Assert.Equal(">", prompt.Task.Fields["answer_after"].GetString());
            // Every column's terms add up to the sum it writes.
            foreach (var column in trace[..trace.LastIndexOf('>')].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var sides = column.Split('=');
                Assert.Equal(int.Parse(sides[1]), sides[0].Split('+').Sum(int.Parse));
            }
            lengths.Add(trace.Length);
        }
        Assert.True(lengths.Min() < 15 && lengths.Max() > 40, $"trace lengths {lengths.Min()}..{lengths.Max()}: not uneven");
    }

    [Fact]
    public void Held_out_problems_never_appear_in_the_training_stream()
    {
        // One-digit sums: a space of 300 problems, so both splits draw many repeats and would collide if they could.
        var options = new ArithmeticOptions(2000, 1, 1, [ArithmeticOperation.Add, ArithmeticOperation.Multiply], false);
        var partition = new HeldOutPartition(0.2);
        var training = new ArithmeticGenerator(options, 5, partition, DataSplit.Training);
        var heldOut = new ArithmeticGenerator(options with { Count = 200 }, 5, partition, DataSplit.HeldOut);

        var trainingKeys = Enumerable.Range(0, training.Count).Select(i => HeldOutPartition.ContentKey(training.Get(i))).ToHashSet();
        var heldOutKeys = Enumerable.Range(0, heldOut.Count).Select(i => HeldOutPartition.ContentKey(heldOut.Get(i))).ToHashSet();

        Assert.True(heldOutKeys.Count > 10);
        Assert.Empty(trainingKeys.Intersect(heldOutKeys));
    }

    [Fact]
    public void File_prompts_split_by_content_so_a_duplicate_question_lands_on_one_side_only()
    {
        var prompts = Enumerable.Range(0, 400)
            .Select(i => new Prompt($"id-{i}", new TextPrompt($"question {i % 200}"), new TaskSpec("math", new Dictionary<string, System.Text.Json.JsonElement>())))
            .ToArray();
        var all = new InMemoryPromptDataset("test", prompts);
        var partition = new HeldOutPartition(0.25);

        var training = new PartitionedDataset(all, partition, DataSplit.Training);
        var heldOut = new PartitionedDataset(all, partition, DataSplit.HeldOut);

        Assert.Equal(400, training.Count + heldOut.Count);
        Assert.InRange(heldOut.Count, 40, 180);
        var trainingTexts = Enumerable.Range(0, training.Count).Select(i => Text(training.Get(i))).ToHashSet();
        Assert.All(Enumerable.Range(0, heldOut.Count), i => Assert.DoesNotContain(Text(heldOut.Get(i)), trainingTexts));
    }

    private static string Text(Prompt prompt) => ((TextPrompt)prompt.Content).Text;

    private static string[] Texts(IPromptDataset dataset, int n) => Enumerable.Range(0, n).Select(i => Text(dataset.Get(i))).ToArray();

    private static bool Reachable(List<double> pool, int target)
    {
        if (pool.Count == 1)
            return Math.Abs(pool[0] - target) < 1e-9;
        for (var i = 0; i < pool.Count; i++)
        {
            for (var j = 0; j < pool.Count; j++)
            {
                if (i == j)
                    continue;
                var rest = pool.Where((_, k) => k != i && k != j).ToList();
                double[] results = [pool[i] + pool[j], pool[i] - pool[j], pool[i] * pool[j], pool[j] != 0 ? pool[i] / pool[j] : double.NaN];
                if (results.Where(double.IsFinite).Any(r => Reachable([.. rest, r], target)))
                    return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^Compute (\d+) ([-+*]) (\d+)\.")]
    private static partial Regex Question();
}
