using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace R1Actors.Pipeline.Data;

/// <summary>An operation of the arithmetic generator: its sign in the question and its result.</summary>
public sealed record ArithmeticOperation(string Name, string Sign, Func<BigInteger, BigInteger, BigInteger> Apply)
{
    public static readonly ArithmeticOperation Add = new("add", "+", (a, b) => a + b);
    public static readonly ArithmeticOperation Subtract = new("subtract", "-", (a, b) => a - b);
    public static readonly ArithmeticOperation Multiply = new("multiply", "*", (a, b) => a * b);

    public static IReadOnlyList<ArithmeticOperation> All { get; } = [Add, Subtract, Multiply];
}

/// <summary>Ranges of the arithmetic generator (<c>r1.data.arithmetic</c>).</summary>
/// <param name="ReversedAnswer">Write the reference least-significant digit first, the order in which the
/// digits are computed, which small models learn far more easily.</param>
/// <param name="Compact">Write the question as <c>123+45=</c> and expect the bare answer as the whole completion
/// (task field <c>whole_completion</c>): the form the built-in character-level demo model is pretrained on.</param>
public sealed record ArithmeticOptions(
    int Count, int MinDigits, int MaxDigits, IReadOnlyList<ArithmeticOperation> Operations, bool ReversedAnswer, bool Compact = false);

/// <summary>
/// Multi-digit arithmetic (task <c>exact</c>, field <c>reference</c>): two operands with a digit count drawn
/// from [min-digits, max-digits] each, one operation; subtraction puts the larger operand first so results are
/// never negative. The question states the answer format, including the reversed digit order when it is on.
/// </summary>
public sealed class ArithmeticGenerator(ArithmeticOptions options, ulong seed, HeldOutPartition partition, DataSplit split)
    : GeneratedDataset("arithmetic", TaskKinds.Exact, options.Count, seed, partition, split)
{
    protected override Prompt Generate(ref SplitMix64 random, string id)
    {
        var operation = options.Operations[random.NextInt(options.Operations.Count)];
        var a = Operand(ref random);
        var b = Operand(ref random);
        if (operation == ArithmeticOperation.Subtract && a < b)
            (a, b) = (b, a);
        var answer = operation.Apply(a, b).ToString(CultureInfo.InvariantCulture);
        var reference = options.ReversedAnswer ? new string(answer.Reverse().ToArray()) : answer;
        var text = options.Compact
            ? $"{a}{operation.Sign}{b}="
            : $"Compute {a} {operation.Sign} {b}. " + (options.ReversedAnswer
                ? "Write the digits of the result in reverse order, least significant digit first (1234 is written 4321), "
                : "Write the result as a plain number, ") + "inside <answer> </answer> tags.";
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["reference"] = JsonSerializer.SerializeToElement(reference),
        };
        if (options.Compact)
            fields["whole_completion"] = JsonSerializer.SerializeToElement(true);
        return new Prompt(id, new TextPrompt(text), new TaskSpec(TaskKinds.Exact, fields));
    }

    private BigInteger Operand(ref SplitMix64 random)
    {
        var digits = random.NextInclusive(options.MinDigits, options.MaxDigits);
        var value = new BigInteger(random.NextInclusive(digits == 1 ? 0 : 1, 9));
        for (var i = 1; i < digits; i++)
            value = value * 10 + random.NextInt(10);
        return value;
    }
}
