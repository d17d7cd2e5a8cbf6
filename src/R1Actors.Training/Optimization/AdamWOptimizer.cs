using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Optimization;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter) written out here rather than taken from TorchSharp so that its whole state
/// — both moments, the float32 master weights and the step count — can be saved and restored bit for bit,
/// and so that bfloat16 models get float32 master weights and gradient accumulation.
/// One step, for every parameter that received a gradient (t = steps applied so far + 1):
/// <code>
/// g ← g · clip                      (clip = min(1, max_norm / (‖g‖₂ + 1e-6)) over all parameters together)
/// w ← w · (1 − lr·λ)                (matrices only)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// w ← w − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// </summary>
public sealed class AdamWOptimizer : IDisposable
{
    private readonly TrainableParameter[] _parameters;
    private readonly AdamWSettings _settings;

    /// <param name="parameters">The trainable parameters by name (as <c>named_parameters()</c> gives them).</param>
    public AdamWOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, AdamWSettings settings)
    {
        settings.Validate();
        _settings = settings;
        _parameters = parameters
            .Where(p => p.Parameter.requires_grad)
            .Select(p => new TrainableParameter(p.Name, p.Parameter))
            .ToArray();
        if (_parameters.Length == 0)
            throw new ArgumentException("the model has no trainable parameters", nameof(parameters));
    }

    public AdamWSettings Settings => _settings;

    /// <summary>Optimizer steps applied so far (t of the bias correction).</summary>
    public long StepsApplied { get; private set; }

    /// <summary>Number of trainable parameter tensors.</summary>
    public int ParameterCount => _parameters.Length;

    /// <summary>Number of trainable scalars.</summary>
    public long ElementCount => _parameters.Sum(p => p.Parameter.numel());

    internal IReadOnlyList<TrainableParameter> Parameters => _parameters;

    /// <summary>
    /// Call after each micro-batch's backward pass: folds the model's gradients into the step's float32 sums
    /// (for float32 models autograd already accumulates in place, so only the bookkeeping happens).
    /// </summary>
    public void AccumulateGradients()
    {
        using var noGrad = no_grad();
        foreach (var p in _parameters)
        {
            using var grad = p.Parameter.grad;
            if (grad is null)
                continue;
            p.HasGradient = true;
            if (p.GradientSum is { } sum)
            {
                sum.add_(grad);
                grad.zero_();
            }
        }
    }

    /// <summary>Forgets the step's gradients (after a step, or when a step is skipped).</summary>
    public void ZeroGradients()
    {
        using var noGrad = no_grad();
        foreach (var p in _parameters)
        {
            using (var grad = p.Parameter.grad)
                grad?.zero_();
            p.GradientSum?.zero_();
            p.HasGradient = false;
        }
    }

    /// <summary>The global L2 norm of the accumulated gradients (before clipping); NaN or ∞ when any gradient is.</summary>
    public double GradientNorm()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norms = _parameters
            .Select(p => p.Gradient)
            .Where(g => g is not null)
            .Select(g => linalg.vector_norm(g!).to_type(ScalarType.Float64))
            .ToArray();
        return norms.Length == 0 ? 0.0 : linalg.vector_norm(stack(norms)).ToDouble();
    }

    /// <summary>The factor the gradients are multiplied by so their global norm is at most the clip.</summary>
    public double ClipScale(double gradientNorm) =>
        _settings.MaxGradNorm > 0 && gradientNorm > _settings.MaxGradNorm
            ? _settings.MaxGradNorm / (gradientNorm + 1e-6)
            : 1.0;

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/>, then zeroes the gradients.</summary>
    public void Step(double learningRate, double clipScale)
    {
        var t = StepsApplied + 1;
        var biasCorrection1 = 1.0 - Math.Pow(_settings.Beta1, t);
        var sqrtBiasCorrection2 = Math.Sqrt(1.0 - Math.Pow(_settings.Beta2, t));
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            foreach (var p in _parameters)
            {
                if (p.Gradient is not { } grad)
                    continue;
                if (clipScale != 1.0)
                    grad.mul_(clipScale);
                var weights = p.Weights;
                if (p.Decays && _settings.WeightDecay != 0.0)
                    weights.mul_(1.0 - learningRate * _settings.WeightDecay);
                p.ExpAvg.mul_(_settings.Beta1).add_(grad, alpha: 1.0 - _settings.Beta1);
                p.ExpAvgSq.mul_(_settings.Beta2).addcmul_(grad, grad, value: 1.0 - _settings.Beta2);
                var denominator = (p.ExpAvgSq.sqrt() / sqrtBiasCorrection2).add_(_settings.Epsilon);
                weights.addcdiv_(p.ExpAvg, denominator, value: -learningRate / biasCorrection1);
                if (p.Master is { } master)
                    p.Parameter.copy_(master);
            }
        }
        StepsApplied = t;
        ZeroGradients();
    }

    internal void RestoreStepsApplied(long stepsApplied) => StepsApplied = stepsApplied;

    public void Dispose()
    {
        foreach (var p in _parameters)
            p.Dispose();
    }
}
