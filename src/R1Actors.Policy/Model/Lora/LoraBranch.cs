using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model.Lora;

/// <summary>One of the adapter's two matrices, kept as a module so that its parameter is <c>lora_A.weight</c> as in PEFT.</summary>
internal sealed class LoraMatrix : nn.Module
{
    private readonly Parameter weight;

    public LoraMatrix(string name, long rows, long columns, ScalarType dtype, Device device) : base(name)
    {
        weight = nn.Parameter(zeros([rows, columns], dtype, device));
        RegisterComponents();
    }

    public Parameter Weight => weight;
}

/// <summary>
/// The low-rank update beside one frozen projection, as PEFT's <c>lora.Linear</c>:
/// <code>
/// Δ(x) = (α / r) · lora_B(lora_A(dropout(x)))       lora_A.weight (r, in), lora_B.weight (out, r)
/// </code>
/// Its matrices are float32 whatever the base's dtype (the input is cast up, Δ cast back), so a bfloat16 base
/// trains a float32 adapter; only a float64 base (gradient checks) gets a float64 adapter. A starts kaiming-uniform with a = √5 (PEFT's default), B at zero, so a fresh
/// adapter adds exactly nothing. Dropout runs only while the owning projection is in training mode.
/// </summary>
internal sealed class LoraBranch : nn.Module
{
    private readonly LoraMatrix lora_A;
    private readonly LoraMatrix lora_B;
    private readonly double dropout;
    private readonly ScalarType dtype;

    public LoraBranch(long inFeatures, long outFeatures, LoraSettings settings, ScalarType baseType, Device device) : base("lora")
    {
        dtype = baseType == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        lora_A = new LoraMatrix("lora_A", settings.Rank, inFeatures, dtype, device);
        lora_B = new LoraMatrix("lora_B", outFeatures, settings.Rank, dtype, device);
        dropout = settings.Dropout;
        Scaling = settings.Scaling;
        RegisterComponents();
    }

    public double Scaling { get; }

    /// <summary>False while the adapter is switched off (the KL reference is the base without it).</summary>
    public bool Enabled { get; set; } = true;

    public Parameter A => lora_A.Weight;

    public Parameter B => lora_B.Weight;

    /// <summary>
    /// A ~ U(−1/√in, 1/√in) — kaiming_uniform_(a = √5): gain √(2 / (1 + 5)), bound gain · √(3 / fan_in) = 1/√in —
    /// and B = 0, drawn from <paramref name="generator"/> so that a seed gives the same adapter everywhere.
    /// </summary>
    public void Initialise(Generator generator)
    {
        using var noGrad = no_grad();
        var bound = 1.0 / Math.Sqrt(A.shape[1]);
        A.uniform_(-bound, bound, generator);
        B.zero_();
    }

    /// <summary>x (…, in) in the base dtype → Δ (…, out) in the same dtype.</summary>
    public Tensor Delta(Tensor x, bool training)
    {
        using var scope = NewDisposeScope();
        var h = x.dtype == dtype ? x : x.to(dtype);                                       // (…, in) float32
        if (training && dropout > 0)
            h = nn.functional.dropout(h, dropout, training: true);
        var delta = nn.functional.linear(nn.functional.linear(h, A), B).mul_(Scaling);    // (…, r) → (…, out)
        return (x.dtype == dtype ? delta : delta.to(x.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>scaling · B A (out, in) in the adapter's dtype: what merging adds to the base weight.</summary>
    public Tensor Update()
    {
        using var noGrad = no_grad();
        return B.matmul(A).mul_(Scaling);                                                 // (out, r)·(r, in)
    }
}
