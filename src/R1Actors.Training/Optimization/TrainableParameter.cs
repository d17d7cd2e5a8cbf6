using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Training.Optimization;

/// <summary>
/// One model parameter and the optimizer's long-lived state for it, all detached and outside any dispose
/// scope: the moments (float32, or float64 for a float64 model), and — when the model trains in a lower precision such as bfloat16 — a float32
/// master copy of the weights and a float32 gradient accumulator. Updates are made to the master copy and
/// rounded into the model, so steps smaller than bfloat16's resolution are not lost.
/// </summary>
internal sealed class TrainableParameter : IDisposable
{
    public TrainableParameter(string name, Parameter parameter)
    {
        Name = name;
        Parameter = parameter;
        using var noGrad = no_grad();
        var device = parameter.device;
        var stateType = parameter.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        ExpAvg = zeros(parameter.shape, stateType, device).DetachFromDisposeScope();
        ExpAvgSq = zeros(parameter.shape, stateType, device).DetachFromDisposeScope();
        if (parameter.dtype != stateType)
        {
            using var detached = parameter.detach();
            Master = detached.to_type(stateType, copy: true).DetachFromDisposeScope();
            GradientSum = zeros(parameter.shape, stateType, device).DetachFromDisposeScope();
        }
    }

    public string Name { get; }

    public Parameter Parameter { get; }

    public Tensor ExpAvg { get; }

    public Tensor ExpAvgSq { get; }

    /// <summary>float32 weights the update is applied to; null when the model itself is float32.</summary>
    public Tensor? Master { get; }

    /// <summary>float32 gradient accumulated over micro-batches; null when the model itself is float32.</summary>
    public Tensor? GradientSum { get; }

    /// <summary>True once some micro-batch has produced a gradient for this parameter in the current step.</summary>
    public bool HasGradient { get; set; }

    /// <summary>Matrices decay; 1-D tensors (norm weights, biases) do not.</summary>
    public bool Decays => Parameter.dim() > 1;

    /// <summary>The float32 weights the optimizer updates.</summary>
    public Tensor Weights => Master ?? Parameter;

    /// <summary>The accumulated float32 gradient of the step, or null when no micro-batch reached this parameter.</summary>
    public Tensor? Gradient => !HasGradient ? null : GradientSum ?? Parameter.grad;

    public void Dispose()
    {
        ExpAvg.Dispose();
        ExpAvgSq.Dispose();
        Master?.Dispose();
        GradientSum?.Dispose();
    }
}
