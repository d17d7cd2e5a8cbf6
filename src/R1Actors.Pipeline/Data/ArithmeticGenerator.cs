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
/// <param name="Trace">Sums of <paramref name="MinOperands"/>…<paramref name="MaxOperands"/> operands asked compactly
/// (<c>457+968=</c>), whose worked solution is the column-by-column carry trace (<see cref="CarryTrace"/>) and whose
/// answer is what follows its last <c>&gt;</c>: a task with long, uneven answers where writing the work out helps.</param>
public sealed record ArithmeticOptions(
    int Count, int MinDigits, int MaxDigits, IReadOnlyList<ArithmeticOperation> Operations, bool ReversedAnswer, bool Compact = false,
    bool Trace = false, int MinOperands = 2, int MaxOperands = 2);

/// <summary>
/// The worked solution of a sum, least-significant column first, each column written as its digits, the carry
/// coming in (when not 0) and their sum, then <c>&gt;</c> and the answer's digits least-significant first:
/// <c>457+968</c> → <c>7+8=15,5+6+1=12,4+9+1=14,&gt;5241</c> (1,425 reversed). An operand with fewer digits adds
/// nothing to the higher columns; a final carry is the answer's last digit. Its length grows with the operands'
/// digits and count: from 8 characters (<c>3+4</c> → <c>3+4=7,&gt;7</c>) to about a hundred.
/// </summary>
public static class CarryTrace
{
    /// <summary>The marker before the answer: the answer is what follows its last occurrence.</summary>
    public const string AnswerMarker = ">";

    public static string Write(IReadOnlyList<BigInteger> operands)
    {
        var digits = operands.Select(o => o.ToString(CultureInfo.InvariantCulture).Reverse().Select(c => c - '0').ToArray()).ToArray();
        var columns = digits.Max(d => d.Length);
        var trace = new System.Text.StringBuilder();
        var answer = new System.Text.StringBuilder();
        var carry = 0;
        for (var column = 0; column < columns; column++)
        {
            var terms = digits.Where(d => column < d.Length).Select(d => d[column]).ToList();
            if (carry > 0)
                terms.Add(carry);
            var sum = terms.Sum();
            trace.Append(string.Join('+', terms)).Append('=').Append(sum.ToString(CultureInfo.InvariantCulture)).Append(',');
            answer.Append((char)('0' + sum % 10));
            carry = sum / 10;
        }
        if (carry > 0)
            answer.Append(new string([.. carry.ToString(CultureInfo.InvariantCulture).Reverse()]));
        return trace.Append(AnswerMarker).Append(answer).ToString();
    }
}

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
        if (options.Trace)
            return GenerateTrace(ref random, id);
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

    /// <summary>A sum of several operands with its carry trace (task field <c>trace</c>) and the answer after the marker.</summary>
    private Prompt GenerateTrace(ref SplitMix64 random, string id)
    {
        var count = random.NextInclusive(options.MinOperands, options.MaxOperands);
        var operands = new BigInteger[count];
        for (var i = 0; i < count; i++)
            operands[i] = Operand(ref random);
        var trace = CarryTrace.Write(operands);
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["reference"] = JsonSerializer.SerializeToElement(trace[(trace.LastIndexOf(CarryTrace.AnswerMarker, StringComparison.Ordinal) + 1)..]),
            ["trace"] = JsonSerializer.SerializeToElement(trace),
            ["answer_after"] = JsonSerializer.SerializeToElement(CarryTrace.AnswerMarker),
        };
        var question = string.Join('+', operands.Select(o => o.ToString(CultureInfo.InvariantCulture))) + "=";
        return new Prompt(id, new TextPrompt(question), new TaskSpec(TaskKinds.Exact, fields));
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
